import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { and, asc, eq } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { Op, OpKind } from '../../src-shared/contract/ops';
import { ApplySession, type OpActor } from '../../src-server/apply/apply-op';
import { pushOps, PushRefused } from '../../src-server/apply/push-ops';
import { applyIntegrationOp, ServerOpSource } from '../../src-server/apply/server-ops';
import { authenticateDevice, type AuthenticatedDevice } from '../../src-server/auth/device-auth';
import { registerDevice } from '../../src-server/auth/devices';
import { conflicts, ops, stepStates, waivers } from '../../src-server/db/schema';
import { BatchCache } from '../../src-server/sync/batch-cache';
import { pull } from '../../src-server/sync/pull';
import { writeSnapshot } from '../../src-server/sync/snapshot';
import { lockWrites } from '../../src-server/sync/seq';
import { seedBatch, seedSmallWorld } from '../../src-server/testing/fixtures';
import { BACKENDS, openThrowawayDatabase, type ThrowawayDatabase } from '../../src-server/testing/throwaway-database';
import type { SyncRow } from '../../src-shared/contract/sync';
import { propertyOptions, propertyTimeout } from '../property-options';

/** Runs per engine in `npm test`; `FC_RUNS` raises it. */
const RUNS = 12;
const STUDENTS = ['2023000001', '2023000002', '2023000003', '2023000004'];
const STEPS = ['return-student-card', 'origin-loan', 'dorm-clearance', 'degree-cert'];
const KINDS: OpKind[] = ['pass', 'pass', 'pass', 'reject', 'revoke', 'revoke', 'lift', 'impose'];
/** Two counters of one checkpoint (so they conflict), one of another, one certificate desk. */
const DEVICE_OPERATORS = ['T-STU', 'T-STU', 'T-DORM', 'T-CERT'];
/** The steps each counter's operator holds; now and then a counter tries another one. */
const OWN_STEPS = [['return-student-card', 'origin-loan'], ['return-student-card', 'origin-loan'], ['dorm-clearance'], ['degree-cert']];
const LIBRARY: OpActor = { kind: 'integration', name: '图书馆系统', stepIds: new Set(['return-books']) };

type Action =
  /** `lag`: how many versions behind the server the counter's view of the step is. */
  | { t: 'op'; device: number; kind: OpKind; student: number; step: number; lag: number; note: boolean }
  | { t: 'push'; device: number; take: number; resend: boolean }
  | { t: 'gap'; device: number }
  | { t: 'library'; student: number; status: 'passed' | 'pending' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({
      t: fc.constant('op' as const),
      device: fc.nat(3),
      kind: fc.constantFrom(...KINDS),
      student: fc.nat(3),
      step: fc.nat(9),
      lag: fc.constantFrom(0, 0, 1, 2),
      note: fc.boolean(),
    }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('push' as const), device: fc.nat(3), take: fc.integer({ min: 1, max: 4 }), resend: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('gap' as const), device: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('library' as const), student: fc.nat(3), status: fc.constantFrom('passed' as const, 'pending' as const) }) },
);

describe.each(BACKENDS)('server model on %s', (backend) => {
  let live: ThrowawayDatabase;
  let replay: ThrowawayDatabase;
  let run = 0;

  beforeAll(async () => {
    [live, replay] = await Promise.all([openThrowawayDatabase(backend), openThrowawayDatabase(backend)]);
    await seedSmallWorld(live.db, new BatchCache(), 'model-0');
    await seedSmallWorld(replay.db, new BatchCache(), 'model-0');
  });
  afterAll(async () => {
    await Promise.all([live?.close(), replay?.close()]);
  });

  it('stores every op once, in device order, and its state is a replay of its op log; pull pages equal the snapshot', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 20, maxLength: 60 }), fc.integer({ min: 1, max: 7 }), async (actions, pageSize) => {
        const batchId = `model-${++run}`;
        const batches = new BatchCache();
        await seedBatch(live.db, batches, batchId);
        const devices: { device: AuthenticatedDevice; made: Op[]; delivered: number }[] = [];
        for (const operatorNo of DEVICE_OPERATORS) {
          const { token } = await registerDevice(live.db, operatorNo, operatorNo, batchId);
          const device = await authenticateDevice(live.db, token);
          if (typeof device === 'string') throw new Error(device);
          devices.push({ device, made: [], delivered: 0 });
        }
        const push = (d: (typeof devices)[number], list: Op[]) => pushOps(live.db, batches, d.device, list);
        let integrationOps = 0;

        for (const a of actions) {
          if (a.t === 'op') {
            const d = devices[a.device]!;
            const own = OWN_STEPS[a.device]!;
            const stepId = a.step < 8 ? own[a.step % own.length]! : STEPS[a.step % STEPS.length]!;
            const studentNo = STUDENTS[a.student]!;
            const table = a.kind === 'lift' || a.kind === 'impose' ? waivers : stepStates;
            const [current] = await live.db
              .select({ version: table.version })
              .from(table)
              .where(and(eq(table.batchId, batchId), eq(table.studentNo, studentNo), eq(table.stepId, stepId)));
            d.made.push({
              opId: uuidv7(),
              deviceId: d.device.id,
              deviceSeq: d.made.length + 1,
              operatorId: DEVICE_OPERATORS[a.device]!,
              kind: a.kind,
              studentNo,
              stepId,
              args: { note: a.note ? '备注' : '' },
              base: { version: Math.max(0, (current?.version ?? 0) - a.lag) },
              clientTime: new Date().toISOString(),
            });
          } else if (a.t === 'push') {
            const d = devices[a.device]!;
            const next = d.made.slice(d.delivered, d.delivered + a.take);
            // A response lost after the commit: the counter sends the same ops again with the new ones.
            const again = a.resend ? d.made.slice(Math.max(0, d.delivered - 2), d.delivered) : [];
            if (next.length + again.length === 0) continue;
            await push(d, [...next, ...again].reverse());
            d.delivered += next.length;
          } else if (a.t === 'gap') {
            const d = devices[a.device]!;
            const skipped = d.made[d.delivered + 1];
            if (!skipped) continue;
            const refusal = await push(d, [skipped]).catch((e: unknown) => e);
            expect(refusal).toBeInstanceOf(PushRefused);
          } else {
            integrationOps++;
            await live.db.transaction(async (tx) => {
              await lockWrites(tx);
              const session = new ApplySession(tx, (await batches.get(tx, batchId))!);
              const source = await ServerOpSource.open(tx, `integration:lib-${batchId}`);
              const input = { opId: uuidv7(), studentNo: STUDENTS[a.student]!, stepId: 'return-books', kind: a.status === 'passed' ? ('pass' as const) : ('revoke' as const), note: '', time: new Date().toISOString() };
              await applyIntegrationOp(tx, session, LIBRARY as Extract<OpActor, { kind: 'integration' }>, source, input);
            });
          }
        }
        for (const d of devices) if (d.delivered < d.made.length) await push(d, d.made.slice(d.delivered));

        const log = await live.db.select().from(ops).where(eq(ops.batchId, batchId)).orderBy(asc(ops.seq));
        const made = devices.flatMap((d) => d.made);
        expect(log).toHaveLength(made.length + integrationOps);
        expect(new Set(log.map((o) => o.opId)).size).toBe(log.length);
        for (const d of devices) {
          const own = log.filter((o) => o.deviceId === d.device.id).map((o) => o.deviceSeq);
          expect(own).toEqual(d.made.map((o) => o.deviceSeq));
        }

        // Replay the op log, in seq order, into a database holding only the same batch and people.
        const replayBatches = new BatchCache();
        await seedBatch(replay.db, replayBatches, batchId);
        const replayed = await replay.db.transaction(async (tx) => {
          await lockWrites(tx);
          const session = new ApplySession(tx, (await replayBatches.get(tx, batchId))!);
          const results = [];
          for (const o of log) {
            const device = devices.find((d) => d.device.id === o.deviceId);
            const actor: OpActor = device ? { kind: 'device', operators: device.device.operators } : LIBRARY;
            const op: Op = { opId: o.opId, deviceId: o.deviceId, deviceSeq: o.deviceSeq, operatorId: o.operatorId, kind: o.kind, studentNo: o.studentNo, stepId: o.stepId, args: { note: o.note }, base: { version: o.baseVersion }, clientTime: o.clientTime };
            results.push(await session.apply(actor, op));
          }
          await session.flush();
          return results;
        });
        expect(replayed.map((r) => [r.opId, r.outcome, r.applied, r.reason, r.version])).toEqual(
          log.map((o) => [o.opId, o.outcome, o.applied, o.reason, o.resultVersion]),
        );
        const stateOf = (t: ThrowawayDatabase) =>
          t.db
            .select({ s: stepStates.studentNo, step: stepStates.stepId, status: stepStates.status, version: stepStates.version, note: stepStates.note, op: stepStates.lastOpId })
            .from(stepStates)
            .where(eq(stepStates.batchId, batchId))
            .orderBy(stepStates.studentNo, stepStates.stepId);
        const waiversOf = (t: ThrowawayDatabase) =>
          t.db
            .select({ s: waivers.studentNo, step: waivers.stepId, lifted: waivers.lifted, version: waivers.version, op: waivers.lastOpId })
            .from(waivers)
            .where(eq(waivers.batchId, batchId))
            .orderBy(waivers.studentNo, waivers.stepId);
        const conflictsOf = (t: ThrowawayDatabase) =>
          t.db
            .select({ kind: conflicts.kind, s: conflicts.studentNo, step: conflicts.stepId, win: conflicts.winningOpId, flagged: conflicts.flaggedOpId })
            .from(conflicts)
            .where(and(eq(conflicts.batchId, batchId)))
            // One op can be flagged twice (a pass first held against a revoked prerequisite, later overruled by a revoke).
            .orderBy(conflicts.flaggedOpId, conflicts.kind);
        expect(await stateOf(replay)).toEqual(await stateOf(live));
        expect(await waiversOf(replay)).toEqual(await waiversOf(live));
        expect(await conflictsOf(replay)).toEqual(await conflictsOf(live));

        // Paging through pull gives what a snapshot gives, for every device.
        for (const { device } of devices) {
          const batch = (await batches.get(live.db, batchId))!;
          const snapshot: SyncRow[] = [];
          await writeSnapshot(live.db, batch, device, (chunk) => {
            for (const line of chunk.trim().split('\n')) {
              const row = JSON.parse(line) as SyncRow | { type: 'header' | 'end' };
              if (row.type !== 'header' && row.type !== 'end') snapshot.push(row as SyncRow);
            }
          });
          const pulled = new Map<string, SyncRow>();
          for (let cursor = 0, more = true; more; ) {
            const page = await pull(live.db, batch, device, cursor, pageSize);
            for (const row of page.rows) pulled.set(keyOf(row), row);
            cursor = page.cursor;
            more = page.hasMore;
          }
          expect(new Map([...pulled].sort())).toEqual(new Map(snapshot.map((r) => [keyOf(r), r] as const).sort()));
        }
      }),
      propertyOptions(RUNS),
    );
  }, propertyTimeout(RUNS, 1_000));
});

function keyOf(row: SyncRow): string {
  switch (row.type) {
    case 'student':
      return `student:${row.studentNo}`;
    case 'state':
    case 'waiver':
      return `${row.type}:${row.studentNo}:${row.stepId}`;
    case 'conflict':
      return `conflict:${row.flaggedOpId}`;
    case 'op':
      return `op:${row.opId}`;
  }
}
