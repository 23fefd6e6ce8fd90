import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src-server/testing/throwaway-database';
import { readSession, writeSession } from '../../src-main/db';
import { connectCounter } from '../../src-main/sync/connect';
import { SyncHttp } from '../../src-main/sync/server-http';
import { downloadReplica } from '../../src-main/sync/snapshot-loader';
import { CounterRuntime } from '../../src-main/sync/counter-runtime';
import { PASSWORD } from '../../src-server/testing/fixtures';
import { eventually, SyncWorld, tokenOf, dispatchOk } from './sync-world';

/** One engine per test file, so each stays within its budget. */
export function syncSetup(backend: Backend): void {
  describe(`first-run setup and the sync methods of the counter API, on ${backend}`, () => {
    const world = new SyncWorld(backend);
    const runtimes: CounterRuntime[] = [];

    beforeAll(() => world.start());
    afterAll(async () => {
      for (const r of runtimes) await r.close();
      await world.stop();
    });

    it('serves only setup until the snapshot is in place, then the counter with sync running', async () => {
      const runtime = new CounterRuntime({ path: join(world.dir, 'setup', 'counter.db'), sync: { backoffBaseMs: 50 } });
      runtimes.push(runtime);
      expect(await dispatchOk(runtime, 'setup.state')).toEqual({ needed: true, progress: null, error: null, damaged: null });
      const refused = await runtime.dispatch('session.get', {});
      expect(refused).toMatchObject({ ok: false, error: { message: expect.stringMatching(/尚未设置/) } });

      const wrong = await runtime.dispatch('setup.login', { serverUrl: world.relay.url, operatorNo: 'T-DORM', password: 'nope' });
      expect(wrong).toMatchObject({ ok: false, error: { code: 'unauthorized', message: '工号或密码错误' } });
      const login = await dispatchOk(runtime, 'setup.login', { serverUrl: ` ${world.relay.url}/ `, operatorNo: 'T-DORM', password: PASSWORD });
      expect(login.batches).toEqual([{ id: world.batchId, name: expect.any(String) }]);

      const start = { serverUrl: world.relay.url, operatorNo: 'T-DORM', password: PASSWORD, counterName: '宿管 1 号柜台', batchId: world.batchId, checkpointId: 'dorm' };
      // The password alone does not register a counter: a one-time code from the administrator is needed.
      expect(await runtime.dispatch('setup.start', start)).toMatchObject({ ok: false, error: { code: 'bad_input', message: expect.stringMatching(/柜台注册码/) } });
      await dispatchOk(runtime, 'setup.start', { ...start, registrationCode: 'AAAA-BBBB-CCCC' });
      await eventually(async () => expect(await dispatchOk(runtime, 'setup.state')).toMatchObject({ needed: true, error: expect.stringMatching(/柜台注册码不对、已用过或已过期/) }));
      expect(existsSync(join(world.dir, 'setup', 'counter.db'))).toBe(false);
      await dispatchOk(runtime, 'setup.start', { ...start, registrationCode: ` ${(await world.registrationCode()).toLowerCase()} ` });
      await eventually(async () => expect(await dispatchOk(runtime, 'setup.state')).toMatchObject({ needed: false }));
      const session = await dispatchOk(runtime, 'session.get');
      expect(session).toMatchObject({ operator: { id: 'T-DORM' }, checkpointId: 'dorm' });
      await eventually(async () => expect(await dispatchOk(runtime, 'sync.status')).toMatchObject({ configured: true, state: 'online', unsent: 0, stale: false }));

      const changes: string[] = [];
      runtime.subscribe((e) => changes.push(e.source));
      await dispatchOk(runtime, 'steps.apply', { studentNo: '2023000002', stepId: 'dorm-clearance', action: 'pass' });
      await eventually(async () => expect(await dispatchOk(runtime, 'sync.status')).toMatchObject({ state: 'online', unsent: 0 }));
      expect(changes).toContain('local');
      const stored = await world.serverOps(readSession(runtime.replica!.sqlite, runtime.replica!.batch).deviceId);
      expect(stored.map((o) => [o.kind, o.studentNo, o.outcome])).toEqual([['pass', '2023000002', 'applied']]);

      // Pulled rows land on a connection whose statistics cache has its temp triggers installed.
      await dispatchOk(runtime, 'stats.checkpoint');
      const other = await world.counter('T-DORM');
      other.do([{ kind: 'pass', studentNo: '2023000003', stepId: 'dorm-clearance' }]);
      other.do([{ kind: 'reject', studentNo: '2023000004', stepId: 'dorm-clearance', note: '钥匙未还' }]);
      await other.client.sync();
      await eventually(async () => {
        const detail = await dispatchOk(runtime, 'students.detail', { studentNo: '2023000004' });
        expect((detail.actions as { id: string; status: string }[]).find((a) => a.id === 'dorm-clearance')?.status).toBe('rejected');
      });
      expect(await dispatchOk(runtime, 'sync.status')).toMatchObject({ lastError: null });
      const stats = (await dispatchOk(runtime, 'stats.checkpoint')) as { checkpoint: { total: number; unfinished: number } };
      expect(stats.checkpoint.unfinished).toBe(stats.checkpoint.total - 2);
    });

    it('lists the ops the server rejected, with the reason', async () => {
      const a = await world.counter('T-DORM');
      const session = readSession(a.replica.sqlite, a.replica.batch);
      writeSession(a.replica.sqlite, { ...session, grants: [...session.grants, { checkpointId: 'utilities', colleges: 'all' }] });
      a.do([{ kind: 'pass', studentNo: '2023000003', stepId: 'electricity' }]);
      await a.client.sync();
      const runtime = new CounterRuntime({ path: a.replica.path });
      runtimes.push(runtime);
      const listed = await dispatchOk(runtime, 'sync.conflicts');
      expect(listed.rejected).toEqual([
        expect.objectContaining({ kind: 'pass', studentNo: '2023000003', stepId: 'electricity', stepName: expect.any(String), reason: expect.stringMatching(/[\u4e00-\u9fa5]/) }),
      ]);
    });
  });

  describe(`first download, on ${backend}`, () => {
    const world = new SyncWorld(backend);

    beforeAll(() => world.start());
    afterAll(() => world.stop());

    it('a snapshot cut off mid-stream leaves no replica behind, and a retry succeeds with progress', async () => {
      const probe = await connectCounter({
        serverUrl: world.relay.url,
        operatorNo: 'T-STU',
        password: PASSWORD,
        counterName: '断线柜台',
        batchId: world.batchId,
        path: join(world.dir, 'probe.db'),
        registrationCode: await world.registrationCode(),
      });
      const token = tokenOf(probe);
      const session = readSession(probe.sqlite, probe.batch);
      probe.close();
      const full = await (await fetch(`${world.relay.url}/api/sync/snapshot`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer();
      const api = new SyncHttp(world.relay.url, token);
      const path = join(world.dir, 'cut.db');
      // A fresh connection whose answer stops after the student rows, before the end line.
      await world.relay.down();
      world.relay.responseBudget = Math.floor(full.byteLength * 0.8);
      await world.relay.up();
      await expect(downloadReplica({ api, path, session })).rejects.toThrow(/不完整|中断/);
      await world.relay.down();
      world.relay.responseBudget = null;
      await world.relay.up();
      expect(existsSync(path)).toBe(false);
      expect(existsSync(`${path}.download`)).toBe(false);
      const progress: number[] = [];
      const replica = await downloadReplica({ api, path, session, onProgress: (p) => progress.push(p.done) });
      try {
        expect(progress.at(-1)).toBeGreaterThan(0);
        const students = replica.sqlite.prepare('select count(*) as n from students').get() as { n: number };
        expect(students.n).toBe(4);
      } finally {
        replica.close();
      }
    });
  });
}
