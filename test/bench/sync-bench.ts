import { mkdtempSync, rmSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { applyMany } from '../../src-main/counter/mutate';
import { currentSession } from '../../src-main/counter/session';
import type { Replica } from '../../src-main/db';
import { unsentCount } from '../../src-main/db/outbox';
import { connectCounter } from '../../src-main/sync/connect';
import { serverOf, SyncClient } from '../../src-main/sync/sync-client';
import { createBatch } from '../../src-server/admin/batches';
import { addOperator, grantCheckpoint } from '../../src-server/admin/operators';
import { refreshPlannerStatistics, storeRoster } from '../../src-server/admin/roster-store';
import { bulkInsert } from '../../src-server/db/bulk-insert';
import { stepStates } from '../../src-server/db/schema';
import type { Db } from '../../src-server/db/database';
import { BatchCache } from '../../src-server/sync/batch-cache';
import { lockWrites, reserveSeqs } from '../../src-server/sync/seq';
import { openThrowawayDatabase } from '../../src-server/testing/throwaway-database';
import { registrationCode } from '../../src-server/testing/fixtures';
import { freePort, startServerProcess, stopGently } from '../integration/processes';
import { seconds, timed } from './stats';
import type { SyncWorkload } from './sync-workload';

export interface SyncFigures {
  stack: string;
  /** Milliseconds. */
  firstDownload: number;
  push: number;
  /** Push and whatever the stack does with it before it is settled (ours: the pull back). */
  pushRound: number;
  secondCounterPull: number;
  noOpSync: number;
}

export const OPERATOR = { operatorNo: 'B0001', name: '基准主管', password: 'bench-password' };

function localStatuses(replica: Replica, keys: { studentNo: string; stepId: string }[]): string[] {
  const read = replica.sqlite.prepare('select status from step_states where student_no = ? and step_id = ?');
  return keys.map((k) => (read.get(k.studentNo, k.stepId) as { status: string } | undefined)?.status ?? 'missing');
}

/** The workload's batch, roster, an operator holding every checkpoint, and a server row for every step. */
export async function seedServer(db: Db, workload: SyncWorkload): Promise<void> {
  const def = await createBatch(db, workload.batch);
  await storeRoster(db, new BatchCache(), def.id, workload.students);
  await addOperator(db, OPERATOR.operatorNo, OPERATOR.name, OPERATOR.password);
  for (const c of def.checkpoints) await grantCheckpoint(db, OPERATOR.operatorNo, c.id, []);
  await db.transaction(async (tx) => {
    await lockWrites(tx);
    let seq = await reserveSeqs(tx, workload.states.length);
    const time = new Date().toISOString();
    await bulkInsert(
      tx,
      stepStates,
      workload.states.map((s, i) => ({
        batchId: def.id,
        studentNo: s.studentNo,
        stepId: s.stepId,
        status: s.status,
        note: s.note,
        version: s.version,
        updatedAt: time,
        updatedBy: OPERATOR.operatorNo,
        updatedByName: OPERATOR.name,
        lastOpId: `seed-${i}`,
        seq: seq++,
      })),
    );
  });
  await refreshPlannerStatistics(db);
  // A server in mid-June has long been vacuumed and checkpointed: without this, autovacuum and
  // the checkpointer work through the 400,000 fresh rows during the first measured download.
  await db.execute(sql`vacuum analyze`);
  await db.execute(sql`checkpoint`);
}

/**
 * Our stack on the workload: `npm run server` on the local PostgreSQL as its own process (as
 * it runs in production, on another machine), counters with real SQLite replicas in this
 * process talking HTTP to it. Every figure is the wall time the counter waits for; the checks
 * at the end make sure each step did the work it claims.
 */
export async function benchOurSync(workload: SyncWorkload): Promise<SyncFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-sync-bench-'));
  const database = await openThrowawayDatabase('postgres');
  const { db } = database;
  let server: Awaited<ReturnType<typeof startServerProcess>> | null = null;
  try {
    await timed(`server seeded (${workload.students.length} students, ${workload.states.length} state rows)`, () => seedServer(db, workload));
    const port = await freePort();
    server = await startServerProcess({ url: database.url! }, port);
    const serverUrl = `http://127.0.0.1:${port}`;
    const connect = async (name: string) =>
      connectCounter({ serverUrl, ...OPERATOR, counterName: name, batchId: workload.batch.id, path: join(dir, `${name}.db`), registrationCode: await registrationCode(db) });

    const first = await timed('first download into an empty replica (counter 1)', () => connect('counter-1'));
    const counterA = first.value;
    const counterB = (await timed('first download (counter 2)', () => connect('counter-2'))).value;
    const clientA = new SyncClient(counterA, serverOf(counterA)!);
    const clientB = new SyncClient(counterB, serverOf(counterB)!);

    await timed(`${workload.ops.length} operations made offline on counter 1 (local)`, async () => {
      const result = applyMany(counterA, currentSession(counterA), workload.ops);
      if (result.ops.length !== workload.ops.length) throw new Error(`only ${result.ops.length} of ${workload.ops.length} ops were accepted locally`);
    });
    // The push ends when the outbox is empty; the round then pulls the server's rows back.
    let pushedAt = 0;
    const t0 = performance.now();
    const unsubscribe = counterA.changes.subscribe(() => {
      if (pushedAt === 0 && unsentCount(counterA.sqlite) === 0) pushedAt = performance.now();
    });
    const round = await timed(`${workload.ops.length} operations: counter 1 sync round (push, pull back)`, () => clientA.sync());
    unsubscribe();
    if (pushedAt === 0) throw new Error('the outbox never emptied during the round');
    const push = { ms: pushedAt - t0 };
    console.log(`  ${`  of which the push, until the outbox is empty`.padEnd(58)} ${seconds(push.ms).padStart(9)}`);
    const pull = await timed('second counter pulls them (counter 2 sync)', () => clientB.sync());
    const noOps: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await clientA.sync();
      noOps.push(performance.now() - t0);
    }
    const noOp = noOps.sort((a, b) => a - b)[2]!;
    console.log(`  ${'a sync with nothing to do (median of 5)'.padEnd(58)} ${seconds(noOp).padStart(9)}`);

    const expected = workload.ops.map((o) => (o.kind === 'pass' ? 'passed' : 'pending'));
    const seenByB = localStatuses(counterB, workload.ops);
    const differing = seenByB.filter((s, i) => s !== expected[i]).length;
    const unsent = clientA.status().unsent;
    console.log(`  check: counter 1 unsent ${unsent}; counter 2 differs from counter 1's changes in ${differing} rows`);
    if (unsent !== 0 || differing !== 0) throw new Error('the sync benchmark did not move every change: its figures mean nothing');
    counterA.close();
    counterB.close();
    return { stack: 'ours: Fastify + PostgreSQL, SQLite replicas', firstDownload: first.ms, push: push.ms, pushRound: round.ms, secondCounterPull: pull.ms, noOpSync: noOp };
  } finally {
    if (server) await stopGently(server);
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
