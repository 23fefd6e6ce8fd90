import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectCounter } from '../../src-main/sync/connect';
import { SyncClient } from '../../src-main/sync/sync-client';
import { restorePending } from '../../src-main/db/server-history';
import { readSession, type Replica } from '../../src-main/db';
import { applyOps } from '../../src-main/counter/mutate';
import { createApiKey } from '../../src-server/admin/devices';
import { openDatabase, type Db } from '../../src-server/db/database';
import { ops, stepStates, waivers } from '../../src-server/db/schema';
import { startServer, type RunningServer } from '../../src-server/serve';
import { position } from '../../src-server/sync/history';
import { listRestoreLosses } from '../../src-server/sync/restore-losses';
import { BatchCache } from '../../src-server/sync/batch-cache';
import { PASSWORD, registrationCode, seedSmallWorld } from '../../src-server/testing/fixtures';
import { BACKENDS, POSTGRES_ADMIN_URL, type Backend } from '../../src-server/testing/throwaway-database';
import { freePort } from './processes';
import { eventually, localView, tokenOf } from './sync-world';

/**
 * Issue 23: the server is restored from a backup while three counters keep their replicas.
 * PGlite: the data folder is copied away while the server is stopped and copied back; PostgreSQL:
 * pg_dump, then pg_restore into a new database that the server, restarted behind the same
 * address, uses. Between the backup and the restore the library system and two counters write;
 * after it one counter writes again. Every counter must end equal to the server, every counter
 * op on the server exactly once, and the changes only the lost database had reported per source.
 */

const STUDENTS = ['2023000001', '2023000002', '2023000003', '2023000004'];

/** The server's database and its backup, on one engine. */
interface Engine {
  /** Opens the current database and serves it at `port`. */
  start(port: number): Promise<RunningServer>;
  /** Takes the backup; the server is stopped for it on PGlite (a folder copy needs a closed database). */
  backup(server: RunningServer, port: number): Promise<RunningServer>;
  /** Puts the backup in place of the current database; the server is stopped. */
  restore(): Promise<void>;
  cleanup(): Promise<void>;
}

/** `template`: a seeded data folder to start from (a new PGlite folder takes several seconds to initialise). */
function pgliteEngine(dir: string, template: string): Engine {
  const dataDir = join(dir, 'server');
  const saved = join(dir, 'backup');
  cpSync(template, dataDir, { recursive: true });
  const start = (port: number) => startServer({ dataDir }, { host: '127.0.0.1', port, logger: false });
  return {
    start,
    backup: async (server, port) => {
      await server.close();
      cpSync(dataDir, saved, { recursive: true });
      return start(port);
    },
    restore: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      cpSync(saved, dataDir, { recursive: true });
    },
    cleanup: async () => undefined,
  };
}

function postgresEngine(dir: string, seed: (db: Db) => Promise<Keys>): Engine & { seeded: Promise<Keys> | null } {
  const stem = `lixiao_restore_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const names = [`${stem}_a`, `${stem}_b`];
  const urlOf = (name: string) => {
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const dump = join(dir, 'server.dump');
  let current = names[0]!;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  const engine = {
    seeded: null as Promise<Keys> | null,
    start: async (port: number) => {
      if (engine.seeded === null) {
        await admin(`create database "${current}"`);
        const server = await startServer({ url: urlOf(current) }, { host: '127.0.0.1', port, logger: false });
        engine.seeded = seed(server.database.db);
        await engine.seeded;
        return server;
      }
      return startServer({ url: urlOf(current) }, { host: '127.0.0.1', port, logger: false });
    },
    backup: async (server: RunningServer) => {
      execFileSync('pg_dump', ['--format=custom', `--file=${dump}`, urlOf(current)]);
      return server;
    },
    restore: async () => {
      current = names[1]!;
      await admin(`create database "${current}"`);
      execFileSync('pg_restore', ['--no-owner', `--dbname=${urlOf(current)}`, dump]);
    },
    cleanup: async () => {
      for (const name of names) await admin(`drop database if exists "${name}" with (force)`);
    },
  };
  return engine;
}

interface Keys {
  batchId: string;
  library: string;
  finance: string;
  codes: string[];
}

/** The small world of the sync tests and API keys of two campus systems. */
async function seed(db: Db): Promise<Keys> {
  const { batchId } = await seedSmallWorld(db, new BatchCache());
  return {
    batchId,
    library: await createApiKey(db, 'library', '图书馆系统', batchId, ['return-books']),
    finance: await createApiKey(db, 'finance', '财务系统', batchId, ['repay-debt']),
    // One per counter of a world; PGlite worlds start from a copy of this template, so each has them unused.
    codes: [await registrationCode(db), await registrationCode(db), await registrationCode(db)],
  };
}

interface Counter {
  name: string;
  replica: Replica;
  client: SyncClient;
  deviceId: string;
}

describe.each(BACKENDS)('server restored from a backup, on %s', (backend: Backend) => {
  let dir = '';
  let engine: Engine;
  let template = '';
  let templateKeys: Keys;

  beforeAll(async () => {
    if (backend !== 'pglite') return;
    template = mkdtempSync(join(tmpdir(), 'lixiao-restore-template-'));
    const database = await openDatabase({ dataDir: template });
    templateKeys = await seed(database.db);
    await database.close();
  });

  afterAll(() => {
    if (template) rmSync(template, { recursive: true, force: true });
  });
  let server: RunningServer | null = null;
  const counters: Counter[] = [];

  afterEach(async () => {
    for (const c of counters.splice(0)) {
      await c.client.stop();
      if (c.replica.sqlite.open) c.replica.close();
    }
    await server?.close();
    server = null;
    await engine.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  async function world() {
    dir = mkdtempSync(join(tmpdir(), 'lixiao-restore-'));
    const postgres = backend === 'postgres' ? postgresEngine(dir, seed) : null;
    engine = postgres ?? pgliteEngine(dir, template);
    const port = await freePort();
    server = await engine.start(port);
    const keys = postgres ? await postgres.seeded! : templateKeys;
    const { batchId } = keys;
    const serverUrl = `http://127.0.0.1:${port}`;
    for (const [i, [name, operatorNo]] of ([['A', 'T-DORM'], ['B', 'T-STU'], ['C', 'T-DORM']] as const).entries()) {
      const path = join(dir, `counter-${name}.db`);
      const replica = await connectCounter({ serverUrl, operatorNo, password: PASSWORD, counterName: `柜台${name}`, batchId, path, registrationCode: keys.codes[i]! });
      counters.push({ name, replica, client: startClient(replica, serverUrl), deviceId: deviceIdOf(replica) });
    }
    const integration = async (key: 'library' | 'finance', studentNo: string, stepId: string, status: 'passed' | 'pending') => {
      const res = await fetch(`${serverUrl}/api/integration/steps`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': keys[key] },
        body: JSON.stringify({ opId: randomUUID(), studentNo, stepId, status }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { opId: string }).opId;
    };
    return { port, serverUrl, integration };
  }

  function startClient(replica: Replica, serverUrl: string): SyncClient {
    const client = new SyncClient(replica, { serverUrl, token: tokenOf(replica) }, { backoffBaseMs: 50, backoffMaxMs: 400, pullIntervalMs: 500 });
    client.start();
    return client;
  }

  function deviceIdOf(replica: Replica): string {
    return readSession(replica.sqlite, replica.batch).deviceId;
  }

  const db = (): Db => server!.database.db;

  /** An operator passes a step on the counter: the one mutation path (state + outbox in one transaction). */
  function pass(counter: Counter, studentNo: string, stepId: string): void {
    const { refusals } = applyOps(counter.replica, readSession(counter.replica.sqlite, counter.replica.batch), [{ kind: 'pass', studentNo, stepId }]);
    expect(refusals).toEqual([]);
  }

  /** Every counter has pushed everything and pulled up to the server's seq, with no restore pending. */
  async function converged(): Promise<void> {
    await eventually(async () => {
      await Promise.all(counters.map((c) => c.client.sync().catch(() => undefined)));
      const now = await position(db());
      for (const c of counters) {
        const status = c.client.status();
        expect(status.state, `${c.name}: ${status.lastError}`).toBe('online');
        expect(status.unsent, c.name).toBe(0);
        expect(restorePending(c.replica.sqlite), c.name).toBe(false);
        expect(c.replica.sqlite.prepare('select cursor from sync_state').pluck().get(), c.name).toBe(now.seq);
      }
    }, 60_000, 100);
  }

  /** The counter's local view equals the server's rows: states (absent = pending, version 0) and waivers. */
  async function expectEqualsServer(counter: Counter): Promise<void> {
    const states = new Map((await db().select().from(stepStates)).map((r) => [`${r.studentNo}/${r.stepId}`, { status: r.status, version: r.version, note: r.note }]));
    const local = localView(counter.replica);
    for (const [key, row] of local) expect(row, `${counter.name} ${key}`).toEqual(states.get(key) ?? { status: 'pending', version: 0, note: '' });
    for (const [key, row] of states) expect(local.get(key), `${counter.name} ${key}`).toEqual(row);
    const serverWaivers = (await db().select().from(waivers)).map((w) => `${w.studentNo}/${w.stepId}/${w.lifted}/${w.version}`).sort();
    const localWaivers = (counter.replica.sqlite.prepare('select student_no, step_id, lifted, version from waivers').all() as { student_no: string; step_id: string; lifted: number; version: number }[])
      .map((w) => `${w.student_no}/${w.step_id}/${w.lifted === 1}/${w.version}`)
      .sort();
    expect(localWaivers).toEqual(serverWaivers);
  }

  /** Each op in the counter's outbox is on the server once, in deviceSeq order, and nothing else of that device is. */
  async function expectOpsOnceEach(counter: Counter): Promise<number> {
    const outbox = counter.replica.sqlite.prepare('select op_id, device_seq from outbox order by device_seq').all() as { op_id: string; device_seq: number }[];
    const stored = await db().select({ opId: ops.opId, deviceSeq: ops.deviceSeq }).from(ops).where(eq(ops.deviceId, counter.deviceId)).orderBy(ops.deviceSeq);
    expect(stored.map((s) => [s.opId, s.deviceSeq])).toEqual(outbox.map((o) => [o.op_id, o.device_seq]));
    return outbox.length;
  }

  for (const seqPassed of [false, true]) {
    it(seqPassed ? 'the restored server’s seq has passed the counters’ cursors before they reconnect' : 'counters notice the restore, resend their ops and report what it dropped', async () => {
      const { port, serverUrl, integration } = await world();
      const [a, b] = counters as [Counter, Counter, Counter];
      pass(a, STUDENTS[0]!, 'dorm-clearance');
      await integration('library', STUDENTS[0]!, 'return-books', 'passed');
      await converged();

      server = await engine.backup(server!, port);
      const before = await position(db());

      const lostLibrary = [];
      for (const no of STUDENTS.slice(1)) lostLibrary.push(await integration('library', no, 'return-books', 'passed'));
      pass(a, STUDENTS[1]!, 'dorm-clearance');
      pass(b, STUDENTS[2]!, 'return-student-card');
      pass(b, STUDENTS[3]!, 'return-student-card');
      await converged();
      const cursorsBefore = counters.map((c) => c.replica.sqlite.prepare('select cursor from sync_state').pluck().get() as number);

      if (seqPassed) for (const c of counters) await c.client.stop();
      await server!.close();
      server = null;
      await engine.restore();
      server = await engine.start(port);

      if (seqPassed) {
        // Another campus system keeps writing before any counter is back: the seq passes every cursor.
        for (let i = 0; (await position(db())).seq <= Math.max(...cursorsBefore) + 1; i++) {
          await integration('finance', STUDENTS[i % 4]!, 'repay-debt', i % 8 < 4 ? 'passed' : 'pending');
        }
        for (const c of counters) c.client = startClient(c.replica, serverUrl);
      }

      pass(a, STUDENTS[2]!, 'dorm-clearance');
      await converged();

      const after = await position(db());
      expect(after.history.id).not.toBe(before.history.id);
      expect(after.history.backupOf).not.toBeNull();
      for (const c of counters) await expectEqualsServer(c);
      const sent = await Promise.all(counters.map(expectOpsOnceEach));
      expect(sent).toEqual([3, 2, 0]);

      const losses = await listRestoreLosses(db());
      expect(losses.map((l) => [l.sourceKind, l.source, l.studentNo, l.stepId, l.change]).sort()).toEqual(
        STUDENTS.slice(1).map((no) => ['integration', 'library', no, 'return-books', 'passed']),
      );
      expect(new Set(losses.map((l) => l.historyId))).toEqual(new Set([after.history.id]));
      const resent = [`${STUDENTS[1]}/dorm-clearance`, `${STUDENTS[2]}/return-student-card`, `${STUDENTS[3]}/return-student-card`];
      for (const c of counters) {
        const notice = c.client.status().restore;
        expect(notice, c.name).not.toBeNull();
        expect(notice!.historyId).toBe(after.history.id);
        const library = notice!.losses.filter((l) => l.byName === '图书馆系统').map((l) => l.studentNo).sort();
        expect(library, c.name).toEqual(STUDENTS.slice(1));
        // Anything else a counter lists is another counter's op it reported before that counter resent it.
        for (const l of notice!.losses.filter((x) => x.byName !== '图书馆系统')) expect(resent, c.name).toContain(`${l.studentNo}/${l.stepId}`);
      }
    });
  }
});
