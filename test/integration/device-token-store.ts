import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src-server/testing/throwaway-database';
import { syncText } from '../../src-shared/i18n/sync.zh-CN';
import { startBackendWorker, type BackendWorker } from '../../src-main/backend/client';
import { readSession, type Replica } from '../../src-main/db';
import { writeMeta } from '../../src-main/db/meta';
import { electronIdKeyStore, electronTokenStore, type TokenSafeStorage } from '../../src-main/electron/device-token';
import { connectCounter } from '../../src-main/sync/connect';
import { CounterRuntime } from '../../src-main/sync/counter-runtime';
import { fileTokenStore } from '../../src-main/sync/device-token-store';
import { idCardFor, PASSWORD } from '../../src-server/testing/fixtures';
import { eventually, SyncWorld, tokenOf, dispatchOk } from './sync-world';

/**
 * The device token lives outside the replica (issue #4): a copied replica file must not let
 * anyone push ops as the counter. Real server, real replica files, real token files.
 */

const WORKER = join(import.meta.dirname, 'fixtures/backend-worker-entry.mjs');

/** Whether the token's bytes are anywhere in the replica's files: the database, its WAL, its journal. */
function replicaFilesHold(path: string, token: string): boolean {
  return ['', '-wal', '-shm', '-journal'].some((suffix) => existsSync(path + suffix) && readFileSync(path + suffix).includes(Buffer.from(token)));
}

function metaToken(path: string): string | null {
  const sqlite = new Database(path, { readonly: true });
  try {
    return (sqlite.prepare("select value from meta where key = 'deviceToken'").get() as { value: string } | undefined)?.value ?? null;
  } finally {
    sqlite.close();
  }
}

/** A fake of Electron's safeStorage (the Electron binary is absent here): XOR behind a marker, so the test can see that no clear token reaches the file. */
const fakeSafeStorage: TokenSafeStorage = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'gnome_libsecret',
  encryptString: (text) => Buffer.concat([Buffer.from('FAKE'), Buffer.from(text).map((b) => b ^ 0x5a)]),
  decryptString: (bytes) => {
    if (!bytes.subarray(0, 4).equals(Buffer.from('FAKE'))) throw new Error('fake: not encrypted by this machine');
    return Buffer.from(bytes.subarray(4).map((b) => b ^ 0x5a)).toString();
  },
};

/** One engine per test file, so each stays within its budget. */
export function deviceTokenStore(backend: Backend): void {
  describe(`the device token is kept outside the replica, on ${backend}`, () => {
    const world = new SyncWorld(backend);
    const runtimes: CounterRuntime[] = [];
    const workers: BackendWorker[] = [];
    let n = 0;

    beforeAll(() => world.start());
    afterAll(async () => {
      for (const w of workers) await w.close();
      for (const r of runtimes) await r.close();
      await world.stop();
    });

    async function registered(operatorNo = 'T-DORM'): Promise<Replica> {
      n += 1;
      return connectCounter({ serverUrl: world.relay.url, operatorNo, password: PASSWORD, counterName: `凭据柜台${n}`, batchId: world.batchId, path: join(world.dir, `token-${n}.db`), registrationCode: await world.registrationCode() });
    }

    /** A replica as the loader wrote it before the token store: the token in meta, no token file; and before replica version 7, the 身份证号 hash key likewise. */
    async function oldReplica(): Promise<{ path: string; token: string; deviceId: string; idKey: string }> {
      const replica = await registered();
      const token = tokenOf(replica);
      const idKey = readFileSync(`${replica.path}.idkey`, 'utf8');
      const { deviceId } = readSession(replica.sqlite, replica.batch);
      writeMeta(replica.sqlite, 'deviceToken', token);
      writeMeta(replica.sqlite, 'idHashKey', idKey);
      replica.close();
      rmSync(`${replica.path}.token`);
      rmSync(`${replica.path}.idkey`);
      expect(replicaFilesHold(replica.path, token)).toBe(true);
      expect(replicaFilesHold(replica.path, idKey)).toBe(true);
      return { path: replica.path, token, deviceId, idKey };
    }

    function open(path: string, options: Partial<ConstructorParameters<typeof CounterRuntime>[0]> = {}): CounterRuntime {
      const runtime = new CounterRuntime({ path, sync: { backoffBaseMs: 50, backoffMaxMs: 500 }, ...options });
      runtimes.push(runtime);
      return runtime;
    }

    it('after a download the token is in no byte of the replica, WAL included, and in a 0600 file beside it', async () => {
      const counter = await world.counter('T-DORM');
      const token = tokenOf(counter.replica);
      counter.do([{ kind: 'pass', studentNo: '2023000001', stepId: 'dorm-clearance' }]);
      await counter.client.sync();
      expect(counter.client.status()).toMatchObject({ state: 'online', unsent: 0 });
      expect(existsSync(`${counter.replica.path}-wal`)).toBe(true);
      expect(replicaFilesHold(counter.replica.path, token)).toBe(false);
      expect(metaToken(counter.replica.path)).toBeNull();
      expect(statSync(`${counter.replica.path}.token`).mode & 0o777).toBe(0o600);
      expect(existsSync(`${counter.replica.path}.token.tmp`)).toBe(false);
      // The snapshot's 身份证号 hash key likewise: beside the file, in none of its bytes.
      const idKey = readFileSync(`${counter.replica.path}.idkey`, 'utf8');
      expect(idKey).toMatch(/^[0-9a-f]{64}$/);
      expect(statSync(`${counter.replica.path}.idkey`).mode & 0o777).toBe(0o600);
      expect(replicaFilesHold(counter.replica.path, idKey)).toBe(false);
    });

    it('an old replica with the token in meta: moved to the store on open, gone from the file, and it still syncs', async () => {
      const { path, token, deviceId } = await oldReplica();
      const runtime = open(path);
      await runtime.ready;
      expect(fileTokenStore.read(path)).toBe(token);
      expect(statSync(`${path}.token`).mode & 0o777).toBe(0o600);
      expect(metaToken(path)).toBeNull();
      expect(replicaFilesHold(path, token)).toBe(false);

      await dispatchOk(runtime, 'steps.apply', { studentNo: '2023000002', stepId: 'dorm-clearance', action: 'pass' });
      await eventually(async () => expect(await dispatchOk(runtime, 'sync.status')).toMatchObject({ configured: true, tokenLost: false, state: 'online', unsent: 0 }));
      expect((await world.serverOps(deviceId)).map((o) => [o.studentNo, o.outcome])).toEqual([['2023000002', 'applied']]);
    });

    it('stores before it deletes: when the store cannot be written the token stays in meta, with a Chinese reason, and the next start moves it', async () => {
      const { path, token } = await oldReplica();
      // A folder where the token's side file goes: the write fails for real.
      mkdirSync(`${path}.token.tmp`);
      const failed = open(path);
      await expect(failed.ready).rejects.toThrow(/登记凭据/);
      expect(await failed.dispatch('session.get', {})).toMatchObject({ ok: false, error: { message: expect.stringMatching(/登记凭据/) } });
      expect(metaToken(path)).toBe(token);
      expect(fileTokenStore.read(path)).toBeNull();

      rmSync(`${path}.token.tmp`, { recursive: true });
      const retried = open(path);
      await retried.ready;
      expect(fileTokenStore.read(path)).toBe(token);
      expect(metaToken(path)).toBeNull();
    });

    it('a missing token: the header says so in Chinese, and the counter works on offline', async () => {
      const replica = await registered();
      const { deviceId } = readSession(replica.sqlite, replica.batch);
      replica.close();
      rmSync(`${replica.path}.token`);
      const runtime = open(replica.path);
      await runtime.ready;

      expect(await dispatchOk(runtime, 'sync.status')).toMatchObject({ configured: true, tokenLost: true, state: 'offline', lastError: syncText.tokenLost, unsent: 0 });
      expect(syncText.tokenLost).toMatch(/登记凭据丢失/);
      await dispatchOk(runtime, 'steps.apply', { studentNo: '2023000003', stepId: 'dorm-clearance', action: 'pass' });
      expect(await dispatchOk(runtime, 'sync.status')).toMatchObject({ tokenLost: true, unsent: 1 });
      // The shift still changes, as it does offline: the registering operator is known here.
      expect(await dispatchOk(runtime, 'session.signIn', { operatorNo: 'T-DORM', password: PASSWORD })).toMatchObject({ offline: true });
      expect(await runtime.dispatch('sync.resolveConflict', { id: 1 })).toMatchObject({ ok: false, error: { message: syncText.tokenLost } });
      expect(await world.serverOps(deviceId)).toEqual([]);
    });

    it('in the Electron worker: main keeps the token encrypted (safeStorage, faked here), for an old replica and for a new registration', async () => {
      const { path, token, deviceId, idKey } = await oldReplica();
      const tokens = await electronTokenStore(fakeSafeStorage, path);
      const idKeys = await electronIdKeyStore(fakeSafeStorage, path);
      const backend = await startBackendWorker({ workerPath: WORKER, dbPath: path, tokens, idKeys });
      workers.push(backend);
      // The 身份证号 hash key went the same way, and the worker searches with it.
      expect(fakeSafeStorage.decryptString(readFileSync(`${path}.idkey.enc`))).toBe(idKey);
      expect(readFileSync(`${path}.idkey.enc`).includes(Buffer.from(idKey))).toBe(false);
      expect(existsSync(`${path}.idkey`)).toBe(false);
      expect(replicaFilesHold(path, idKey)).toBe(false);
      const found = await backend.call('students.lookup', { text: idCardFor(4) });
      expect(found.ok && (found.value as { students: { studentNo: string }[] }).students.map((x) => x.studentNo)).toContain('2023000004');
      expect(fakeSafeStorage.decryptString(readFileSync(`${path}.token.enc`))).toBe(token);
      expect(readFileSync(`${path}.token.enc`).includes(Buffer.from(token))).toBe(false);
      expect(statSync(`${path}.token.enc`).mode & 0o777).toBe(0o600);
      expect(existsSync(`${path}.token`)).toBe(false);
      expect(metaToken(path)).toBeNull();
      expect(replicaFilesHold(path, token)).toBe(false);
      expect(await backend.call('steps.apply', { studentNo: '2023000004', stepId: 'dorm-clearance', action: 'pass' })).toMatchObject({ ok: true });
      await eventually(async () => expect(await backend.call('sync.status', {})).toMatchObject({ ok: true, value: { state: 'online', unsent: 0 } }));
      expect(await world.serverOps(deviceId)).toHaveLength(1);

      const fresh = join(world.dir, 'electron-setup', 'counter.db');
      mkdirSync(join(world.dir, 'electron-setup'));
      const setup = await startBackendWorker({
        workerPath: WORKER,
        dbPath: fresh,
        tokens: await electronTokenStore(fakeSafeStorage, fresh),
        idKeys: await electronIdKeyStore(fakeSafeStorage, fresh),
      });
      workers.push(setup);
      const started = await setup.call('setup.start', { serverUrl: world.relay.url, operatorNo: 'T-DORM', password: PASSWORD, counterName: '电子柜台', batchId: world.batchId, registrationCode: await world.registrationCode() });
      expect(started).toMatchObject({ ok: true });
      await eventually(async () => expect(await setup.call('setup.state', {})).toMatchObject({ ok: true, value: { needed: false } }));
      await eventually(async () => expect(await setup.call('sync.status', {})).toMatchObject({ ok: true, value: { state: 'online', tokenLost: false } }));
      const newToken = fakeSafeStorage.decryptString(readFileSync(`${fresh}.token.enc`));
      expect(newToken).toMatch(/^lxd_/);
      expect(existsSync(`${fresh}.token`)).toBe(false);
      expect(replicaFilesHold(fresh, newToken)).toBe(false);
      const newIdKey = fakeSafeStorage.decryptString(readFileSync(`${fresh}.idkey.enc`));
      expect(newIdKey).toMatch(/^[0-9a-f]{64}$/);
      expect(existsSync(`${fresh}.idkey`)).toBe(false);
      expect(replicaFilesHold(fresh, newIdKey)).toBe(false);
    });

    it('Electron without a keyring keeps the plain 0600 file; with one, a plain token a Node process left is encrypted', async () => {
      const replica = await registered();
      replica.close();
      const token = tokenOf(replica);
      const noKeyring: TokenSafeStorage = { ...fakeSafeStorage, isEncryptionAvailable: () => false };
      expect(await electronTokenStore(noKeyring, replica.path)).toBe(fileTokenStore);
      expect(fileTokenStore.read(replica.path)).toBe(token);

      const store = await electronTokenStore(fakeSafeStorage, replica.path);
      expect(existsSync(`${replica.path}.token`)).toBe(false);
      expect(store.read(replica.path)).toBe(token);
      await store.remove(replica.path);
      expect(existsSync(`${replica.path}.token.enc`)).toBe(false);
    });
  });
}
