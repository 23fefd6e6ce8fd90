import { registrationCode } from '../../src-server/testing/fixtures';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchApplyResult, BatchGrid } from '../../src-shared/contract/batch-api';
import type { SyncStatusDto } from '../../src-shared/contract/sync-api';
import { openReplica, readSession } from '../../src-main/db';
import { connectCounter } from '../../src-main/sync/connect';
import { openDatabase, type DatabaseTarget } from '../../src-server/db/database';
import { devices, ops, stepStates, syncSeq } from '../../src-server/db/schema';
import { DEMO_PASSWORD, seedDemo } from '../../src-server/demo/seed-demo';
import { openThrowawayDatabase, type Backend, type ThrowawayDatabase } from '../../src-server/testing/throwaway-database';
import { exited, freePort, killHard, startCounterProcess, startServerProcess, stopGently, type CounterProcess } from './processes';
import { PushTapRelay } from './push-tap-relay';
import { eventually, localView } from './sync-world';

/**
 * Issue #4, process level: the counter back end (browser host over CounterRuntime, as the app
 * runs it) and the server as real processes, class batches (batch.apply over a whole class)
 * one after another with sync pushing concurrently, and SIGKILL to the counter inside a batch
 * transaction, as a push answer arrives and while a push is at the server, and to the server
 * in the middle of a push. After both restart on the same files and sync settles, nothing is
 * lost or doubled and every batch is whole or absent, on the counter and on the server.
 */

const STEP = 'dorm-clearance';
const PAUSE = resolve(__dirname, 'outbox-pause.ts');

interface ClassRef {
  className: string;
  firstStudentNo: string;
}

interface BatchRecord {
  note: string;
  className: string;
  /** Every student of the class, and those the batch passes (their cell was open). */
  students: string[];
  items: string[];
  /** Whether the batch transaction committed: the counter answered, or was killed inside it. */
  committed: boolean;
}

/** One engine per test file, so the two engines run on separate workers and no file passes its 60 s budget. */
export function counterCrashSync(backend: Backend): void {
  describe(`counter and server killed around class batches, on ${backend}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lixiao-counter-crash-'));
    let pg: ThrowawayDatabase | null = null;
    let target: DatabaseTarget;
    let batchId = '';
    /** Issued before the server process holds the database (PGlite: one process per folder). */
    let code = '';

    beforeAll(async () => {
      if (backend === 'postgres') {
        pg = await openThrowawayDatabase('postgres');
        target = { url: pg.url! };
        batchId = (await seedDemo(pg.db, 600)).batch.id;
        code = await registrationCode(pg.db);
      } else {
        target = { dataDir: join(dir, 'server') };
        const database = await openDatabase(target);
        batchId = (await seedDemo(database.db, 600)).batch.id;
        code = await registrationCode(database.db);
        await database.close();
      }
    });
    afterAll(async () => {
      await pg?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('keeps every op once, deviceSeqs gapless, each class batch whole or absent, replica equal to server', async () => {
      const port = await freePort();
      let server: ChildProcess = await startServerProcess(target, port);
      const relay = new PushTapRelay({ host: '127.0.0.1', port });
      await relay.up();
      const path = join(dir, 'counter.db');
      const pauseFile = join(dir, 'pause-at-outbox-row');
      const replica = await connectCounter({
        serverUrl: relay.url,
        operatorNo: 'S0004',
        password: DEMO_PASSWORD,
        counterName: '宿管柜台',
        batchId,
        checkpointId: 'dorm',
        path,
        registrationCode: code,
      });
      const deviceId = readSession(replica.sqlite, replica.batch).deviceId;
      const classes = replica.sqlite
        .prepare(
          `select class_name as className, min(student_no) as firstStudentNo from students
           group by college, class_name having count(*) >= 30 order by firstStudentNo`,
        )
        .all() as ClassRef[];
      replica.close();

      const startCounter = () => startCounterProcess(path, { preload: PAUSE, env: { LIXIAO_PAUSE_FILE: pauseFile } });
      let counter: CounterProcess = await startCounter();
      const batches: BatchRecord[] = [];
      let nextClass = 0;

      const prepare = async (cls: ClassRef): Promise<BatchRecord> => {
        const grid = await counter.call<BatchGrid>('batch.grid', { studentNo: cls.firstStudentNo, by: 'class' });
        expect(grid.ownStepIds).toEqual([STEP]);
        const items = grid.rows.filter((r) => r.cells[0] === null).map((r) => r.studentNo);
        expect(items.length).toBeGreaterThan(1);
        const record = { note: `第${batches.length + 1}批`, className: cls.className, students: grid.rows.map((r) => r.studentNo), items, committed: false };
        batches.push(record);
        return record;
      };
      const apply = (record: BatchRecord) =>
        counter.call<BatchApplyResult>('batch.apply', { items: record.items.map((studentNo) => ({ studentNo, stepId: STEP })), note: record.note });
      /**
       * `pushCaught`: the counter is killed on the push this batch starts, which can beat the
       * batch's own answer to the test. The push is only sent once the batch has committed, so it
       * counts as committed either way.
       */
      const classBatch = async (cls = classes[nextClass++]!, pushCaught = false) => {
        const record = await prepare(cls);
        const result = await apply(record).catch((e: unknown) => {
          if (pushCaught) return null;
          throw e;
        });
        if (result) {
          expect(result.refused).toEqual([]);
          expect(result.passed.map((p) => p.studentNo)).toEqual(record.items);
        }
        record.committed = true;
        return cls;
      };
      /** A batch whose transaction the counter is killed in, half-way through its outbox rows. */
      const batchKilledInside = async (cls = classes[nextClass++]!) => {
        const record = await prepare(cls);
        writeFileSync(pauseFile, String(Math.ceil(record.items.length / 2)));
        const paused = counter.prints(/paused in transaction/);
        const answer = apply(record).then(
          () => 'answered',
          () => 'cut',
        );
        await paused;
        await killHard(counter.child);
        expect(await answer).toBe('cut');
        return cls;
      };
      const synced = () =>
        eventually(
          async () => {
            const status = await counter.call<SyncStatusDto>('sync.status');
            expect(status).toMatchObject({ unsent: 0, state: 'online' });
          },
          60_000,
          100,
        );

      try {
        // Batches back to back: each one's push runs while the next is read and written.
        for (let i = 0; i < 3; i++) await classBatch();

        const interrupted = await batchKilledInside();
        counter = await startCounter();
        // The operator sees the class untouched and does it again.
        const again = await counter.call<BatchGrid>('batch.grid', { studentNo: interrupted.firstStudentNo, by: 'class' });
        expect(again.rows.filter((r) => r.cells[0] === null).map((r) => r.studentNo)).toEqual(batches.at(-1)!.items);
        await classBatch(interrupted);

        // Killed as the server's answer to the push arrives: the server holds the ops, the counter does not know.
        await synced();
        const answered = counter.child;
        const answerCaught = relay.nextPush({
          answer: () => {
            void killHard(answered);
            return false;
          },
        });
        await classBatch(undefined, true);
        await answerCaught;
        await exited(answered);
        counter = await startCounter();

        // Killed once the push is through to the server, before it answers.
        await synced();
        const pushing = counter.child;
        const pushDelivered = relay.nextPush({ delivered: () => void killHard(pushing), answer: () => false });
        await classBatch(undefined, true);
        await pushDelivered;
        await exited(pushing);
        counter = await startCounter();

        // The server is killed 20 ms after a push reached it, its answer held back: before, inside or
        // just after the push's transaction, and the counter never hears which. The counter goes on
        // offline, then dies inside a batch.
        await synced();
        const working = server;
        const serverPush = relay.nextPush({ delivered: () => void setTimeout(() => void killHard(working), 20), answer: () => false });
        await classBatch();
        await serverPush;
        await exited(working);
        await classBatch();
        await batchKilledInside();

        server = await startServerProcess(target, port);
        counter = await startCounter();
        await classBatch();
        await synced();
      } finally {
        await stopGently(counter.child);
        await stopGently(server);
        await relay.down();
      }

      const local = openReplica(path);
      const outbox = local.sqlite
        .prepare(`select device_seq, op_id, student_no, json_extract(args, '$.note') as note, acked_at, outcome from outbox order by device_seq`)
        .all() as { device_seq: number; op_id: string; student_no: string; note: string; acked_at: string | null; outcome: string | null }[];
      const localStates = localView(local);
      const cursor = (local.sqlite.prepare('select cursor from sync_state where slot = 1').get() as { cursor: number }).cursor;
      local.close();

      const database = await openDatabase(target);
      let stored: (typeof ops.$inferSelect)[];
      let serverRows: (typeof stepStates.$inferSelect)[];
      let lastSeq: number;
      let serverSeq: number;
      try {
        stored = await database.db.select().from(ops).where(eq(ops.deviceId, deviceId)).orderBy(ops.deviceSeq);
        serverRows = await database.db.select().from(stepStates).where(eq(stepStates.batchId, batchId));
        [{ lastSeq }] = (await database.db.select({ lastSeq: devices.lastSeq }).from(devices).where(eq(devices.id, deviceId))) as [{ lastSeq: number }];
        [{ value: serverSeq }] = (await database.db.select({ value: syncSeq.value }).from(syncSeq)) as [{ value: number }];
      } finally {
        await database.close();
      }

      // Every op of the outbox is on the server exactly once, in the same gapless order, acknowledged and applied.
      expect(outbox.map((o) => o.device_seq)).toEqual(outbox.map((_, i) => i + 1));
      expect(stored.map((o) => [o.deviceSeq, o.opId])).toEqual(outbox.map((o) => [o.device_seq, o.op_id]));
      expect(lastSeq).toBe(outbox.length);
      expect(outbox.filter((o) => o.acked_at === null || o.outcome !== 'applied')).toEqual([]);
      expect(stored.filter((o) => o.outcome !== 'applied' || !o.applied)).toEqual([]);
      expect(cursor).toBe(serverSeq);

      // Each batch is whole or absent: its ops (by note) on both sides, and the states of its class.
      const serverStates = new Map(serverRows.map((r) => [`${r.studentNo}/${r.stepId}`, { status: r.status, version: r.version, note: r.note }]));
      const passedBy = new Map(batches.filter((b) => b.committed).flatMap((b) => b.students.map((s) => [s, b.note] as const)));
      expect(batches.filter((b) => !b.committed).length).toBe(2);
      for (const b of batches) {
        const expected = b.committed ? [...b.items].sort() : [];
        expect({ batch: b.note, local: outbox.filter((o) => o.note === b.note).map((o) => o.student_no).sort() }).toEqual({ batch: b.note, local: expected });
        expect({ batch: b.note, server: stored.filter((o) => o.note === b.note).map((o) => o.studentNo).sort() }).toEqual({ batch: b.note, server: expected });
        // A student another committed batch passed later (the class done again) says nothing of this one.
        const checked = b.committed ? b.students : b.items.filter((s) => !passedBy.has(s));
        const passed = (states: Map<string, { status: string }>, s: string) => states.get(`${s}/${STEP}`)?.status === 'passed';
        const wrong = checked.filter((s) => passed(localStates, s) !== b.committed || passed(serverStates, s) !== b.committed);
        expect({ batch: b.note, wrong }).toEqual({ batch: b.note, wrong: [] });
      }

      // The replica's view is the server's rows (no row on the server = pending, version 0).
      for (const [key, state] of localStates) expect({ key, ...state }).toEqual({ key, ...(serverStates.get(key) ?? { status: 'pending', version: 0, note: '' }) });
      for (const key of serverStates.keys()) expect(localStates.has(key)).toBe(true);
    }, 240_000);
  });
}
