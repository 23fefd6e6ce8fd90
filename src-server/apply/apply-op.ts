import { and, desc, eq, gt } from 'drizzle-orm';
import { checkActions, checkLift, inScope, type Grant } from '../../src-shared/domain/actions';
import type { BatchIndex } from '../../src-shared/domain/batch';
import type { StudentGateInput } from '../../src-shared/domain/gate';
import type { StepStatus } from '../../src-shared/domain/types';
import type { Op } from '../../src-shared/contract/ops';
import { formatMissing } from '../../src-shared/i18n/zh-CN';
import type { OpResult } from '../../src-shared/contract/sync';
import type { Tx } from '../db/database';
import { conflicts, ops, stepStates, students, waivers } from '../db/schema';
import type { LoadedBatch } from '../sync/batch-cache';
import { nextSeq } from '../sync/seq';
import { reasons } from './reasons';

export interface OperatorScope {
  operatorNo: string;
  name: string;
  grants: Grant[];
}

/** Who an op comes from, which decides what it may touch. */
export type OpActor =
  | { kind: 'device'; operators: ReadonlyMap<string, OperatorScope> }
  | { kind: 'integration'; name: string; stepIds: ReadonlySet<string> }
  /** The server itself, e.g. statuses that arrive with a roster. */
  | { kind: 'system'; name: string };

type StateRow = typeof stepStates.$inferSelect;
type WaiverRow = typeof waivers.$inferSelect;

type Change =
  | { table: 'state'; status: Exclude<StepStatus, 'na'> }
  | { table: 'waiver'; lifted: boolean };

interface Decision {
  outcome: 'applied' | 'conflict' | 'rejected';
  change: Change | null;
  reason: string | null;
  conflict?: { kind: 'pass_revoke' | 'prerequisite_revoked'; winningOpId: string | null; flaggedOpId: string };
}

const rejected = (reason: string): Decision => ({ outcome: 'rejected', change: null, reason });
const noChange = (reason: string): Decision => ({ outcome: 'applied', change: null, reason });
const apply = (change: Change): Decision => ({ outcome: 'applied', change, reason: null });

interface Context {
  tx: Tx;
  batch: LoadedBatch;
  index: BatchIndex;
  op: Op;
  input: StudentGateInput;
  state: StateRow | undefined;
  waiver: WaiverRow | undefined;
  actorName: string;
  actorKind: OpActor['kind'];
}

/**
 * Applies one op inside the caller's transaction and stores it with its outcome. The single
 * write path of the server: device pushes, integration writes and roster statuses all come here.
 * The caller has already made sure the op is new (idempotency, device sequence).
 */
export async function applyOp(tx: Tx, batch: LoadedBatch, actor: OpActor, op: Op): Promise<OpResult> {
  const { decision, ctx } = await decide(tx, batch, actor, op);
  let version: number | null = null;
  if (decision.change && ctx) version = await writeChange(ctx, decision.change);
  let conflictId: number | null = null;
  if (decision.conflict) {
    const [row] = await tx
      .insert(conflicts)
      .values({
        batchId: batch.id,
        kind: decision.conflict.kind,
        studentNo: op.studentNo,
        stepId: op.stepId,
        winningOpId: decision.conflict.winningOpId,
        flaggedOpId: decision.conflict.flaggedOpId,
        detail: decision.reason ?? '',
        seq: await nextSeq(tx),
      })
      .returning({ id: conflicts.id });
    conflictId = row?.id ?? null;
  }
  const seq = await nextSeq(tx);
  await tx.insert(ops).values({
    opId: op.opId,
    batchId: batch.id,
    deviceId: op.deviceId,
    deviceSeq: op.deviceSeq,
    operatorId: op.operatorId,
    kind: op.kind,
    studentNo: op.studentNo,
    stepId: op.stepId,
    note: op.args.note,
    baseVersion: op.base.version,
    clientTime: op.clientTime,
    outcome: decision.outcome,
    applied: decision.change !== null,
    reason: decision.reason,
    resultVersion: version,
    conflictId,
    seq,
  });
  return {
    opId: op.opId,
    deviceSeq: op.deviceSeq,
    outcome: decision.outcome,
    applied: decision.change !== null,
    reason: decision.reason,
    conflictId,
    version,
    seq,
    duplicate: false,
  };
}

async function decide(
  tx: Tx,
  batch: LoadedBatch,
  actor: OpActor,
  op: Op,
): Promise<{ decision: Decision; ctx: Context | null }> {
  const fail = (reason: string) => ({ decision: rejected(reason), ctx: null });
  if (!batch.index.hasStep(op.stepId)) return fail(reasons.unknownStep(op.stepId));
  const [student] = await tx
    .select({ college: students.college, flags: students.flags })
    .from(students)
    .where(and(eq(students.batchId, batch.id), eq(students.studentNo, op.studentNo)));
  if (!student) return fail(reasons.unknownStudent(op.studentNo));

  const { step, checkpoint } = batch.index.step(op.stepId);
  let scopeOk: boolean;
  let actorName: string;
  let index = batch.index;
  if (actor.kind === 'device') {
    const operator = actor.operators.get(op.operatorId);
    if (!operator) return fail(reasons.operatorNotOnDevice(op.operatorId));
    const grant = operator.grants.find((g) => g.checkpointId === checkpoint.id);
    if (!grant) return fail(reasons.noGrant(checkpoint.name, step.name));
    scopeOk = inScope(grant, checkpoint, student);
    actorName = operator.name;
  } else {
    if (actor.kind === 'integration' && !actor.stepIds.has(op.stepId)) return fail(reasons.integrationStep(step.name));
    scopeOk = true;
    actorName = actor.name;
    index = batch.integrationIndex;
  }

  const [stateRows, waiverRows] = await Promise.all([
    tx.select().from(stepStates).where(and(eq(stepStates.batchId, batch.id), eq(stepStates.studentNo, op.studentNo))),
    tx.select().from(waivers).where(and(eq(waivers.batchId, batch.id), eq(waivers.studentNo, op.studentNo))),
  ]);
  const input: StudentGateInput = {
    student,
    status: new Map(stateRows.map((r) => [r.stepId, r.status])),
    lifted: new Set(waiverRows.filter((w) => w.lifted).map((w) => w.stepId)),
  };
  const ctx: Context = {
    tx,
    batch,
    index,
    op,
    input,
    state: stateRows.find((r) => r.stepId === op.stepId),
    waiver: waiverRows.find((r) => r.stepId === op.stepId),
    actorName,
    actorKind: actor.kind,
  };
  return { decision: await decideKind(ctx, scopeOk), ctx };
}

async function decideKind(ctx: Context, scopeOk: boolean): Promise<Decision> {
  const { op, index, input, state } = ctx;
  if (op.kind === 'lift' || op.kind === 'impose') {
    if (!scopeOk) return rejected(reasons.refusal({ code: 'out_of_scope' }));
    return op.kind === 'lift' ? decideLift(ctx) : decideImpose(ctx);
  }
  const check = checkActions(index, input, op.stepId, scopeOk);
  const currentVersion = state?.version ?? 0;
  // Only counters report the version they saw; integrations and the server itself write blind.
  const stale = ctx.actorKind === 'device' && op.base.version < currentVersion;

  if (op.kind === 'pass') {
    if (check.pass && check.pass.code !== 'already_passed' && check.pass.code !== 'blocked') {
      return rejected(reasons.refusal(check.pass));
    }
    if (stale) {
      const revoke = await revokeSince(ctx, op.base.version);
      if (revoke) {
        return {
          outcome: 'conflict',
          change: null,
          reason: reasons.passRevokedMeanwhile(revoke.operatorId, revoke.clientTime),
          conflict: { kind: 'pass_revoke', winningOpId: revoke.opId, flaggedOpId: op.opId },
        };
      }
    }
    if (check.pass?.code === 'already_passed') {
      return noChange(reasons.alreadyPassed(state?.updatedByName ?? '', state?.updatedAt ?? ''));
    }
    if (check.pass?.code === 'blocked') {
      // The operator saw the prerequisites passed and acted (a certificate already handed over
      // cannot be taken back by the server): the pass stands and a supervisor is told.
      const revoke = await latestRevokeOf(ctx, check.pass.missing.flatMap((g) => g.steps.map((s) => s.id)));
      return {
        outcome: 'conflict',
        change: { table: 'state', status: 'passed' },
        reason: reasons.prerequisiteRevoked(formatMissing(check.pass.missing)),
        conflict: { kind: 'prerequisite_revoked', winningOpId: revoke?.opId ?? null, flaggedOpId: op.opId },
      };
    }
    return apply({ table: 'state', status: 'passed' });
  }

  if (op.kind === 'reject') {
    if (check.reject?.code === 'already_rejected') return noChange(reasons.alreadyRejected);
    if (check.reject) return rejected(reasons.refusal(check.reject));
    if (op.args.note.trim() === '') return rejected(reasons.refusal({ code: 'reason_required' }));
    return apply({ table: 'state', status: 'rejected' });
  }

  if (check.revoke?.code === 'nothing_to_revoke') return noChange(reasons.alreadyPending);
  if (check.revoke) return rejected(reasons.refusal(check.revoke));
  if (stale && state?.status === 'passed') {
    // The step was passed after the revoking operator looked; revoke still wins.
    return {
      outcome: 'conflict',
      change: { table: 'state', status: 'pending' },
      reason: reasons.revokeWinsOverPass(state.updatedByName, state.updatedAt),
      conflict: { kind: 'pass_revoke', winningOpId: op.opId, flaggedOpId: state.lastOpId },
    };
  }
  return apply({ table: 'state', status: 'pending' });
}

function decideLift(ctx: Context): Decision {
  const refusal = checkLift(ctx.index, ctx.input, ctx.op.stepId);
  if (refusal) return rejected(reasons.liftNotAllowed[refusal.code]);
  if (ctx.waiver?.lifted) return noChange(reasons.alreadyLifted);
  return apply({ table: 'waiver', lifted: true });
}

function decideImpose(ctx: Context): Decision {
  if (!ctx.waiver?.lifted) return noChange(reasons.notLifted);
  return apply({ table: 'waiver', lifted: false });
}

/** The latest applied revoke of this step that produced a version newer than `base`. */
async function revokeSince(ctx: Context, base: number) {
  const [row] = await ctx.tx
    .select({ opId: ops.opId, operatorId: ops.operatorId, clientTime: ops.clientTime })
    .from(ops)
    .where(
      and(
        eq(ops.batchId, ctx.batch.id),
        eq(ops.studentNo, ctx.op.studentNo),
        eq(ops.stepId, ctx.op.stepId),
        eq(ops.kind, 'revoke'),
        eq(ops.applied, true),
        gt(ops.resultVersion, base),
      ),
    )
    .orderBy(desc(ops.resultVersion))
    .limit(1);
  return row;
}

/** The most recent applied revoke among the given steps of the op's student, if any. */
async function latestRevokeOf(ctx: Context, stepIds: string[]) {
  let latest: { opId: string; seq: number } | undefined;
  for (const stepId of stepIds) {
    const [row] = await ctx.tx
      .select({ opId: ops.opId, seq: ops.seq })
      .from(ops)
      .where(
        and(
          eq(ops.batchId, ctx.batch.id),
          eq(ops.studentNo, ctx.op.studentNo),
          eq(ops.stepId, stepId),
          eq(ops.kind, 'revoke'),
          eq(ops.applied, true),
        ),
      )
      .orderBy(desc(ops.seq))
      .limit(1);
    if (row && (!latest || row.seq > latest.seq)) latest = row;
  }
  return latest;
}

/** Writes the state or waiver change; returns the step state's new version (null for waivers). */
async function writeChange(ctx: Context, change: Change): Promise<number | null> {
  const { tx, batch, op } = ctx;
  const seq = await nextSeq(tx);
  const key = { batchId: batch.id, studentNo: op.studentNo, stepId: op.stepId };
  if (change.table === 'waiver') {
    const row = { ...key, lifted: change.lifted, note: op.args.note, updatedAt: op.clientTime, updatedBy: op.operatorId, lastOpId: op.opId, seq };
    await tx.insert(waivers).values(row).onConflictDoUpdate({ target: [waivers.batchId, waivers.studentNo, waivers.stepId], set: row });
    return null;
  }
  const version = (ctx.state?.version ?? 0) + 1;
  const row = {
    ...key,
    status: change.status,
    note: op.args.note,
    version,
    updatedAt: op.clientTime,
    updatedBy: op.operatorId,
    updatedByName: ctx.actorName,
    lastOpId: op.opId,
    seq,
  };
  await tx
    .insert(stepStates)
    .values(row)
    .onConflictDoUpdate({ target: [stepStates.batchId, stepStates.studentNo, stepStates.stepId], set: row });
  return version;
}
