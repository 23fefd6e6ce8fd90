import { and, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import { accessRefusal, checkActions, checkLift, withdrawnRefusal, type Grant, type Refusal } from '../../src-shared/domain/actions';
import type { BatchIndex } from '../../src-shared/domain/batch';
import type { StudentGateInput } from '../../src-shared/domain/gate';
import type { Op } from '../../src-shared/contract/ops';
import type { OpResult } from '../../src-shared/contract/sync';
import { formatMissing } from '../../src-shared/i18n/zh-CN';
import type { Tx } from '../db/database';
import { bulkInsert } from '../db/bulk-insert';
import { conflicts, ops, stepStates, students, waivers } from '../db/schema';
import type { LoadedBatch } from '../sync/batch-cache';
import { nextSeq, reserveSeqs } from '../sync/seq';
import { reasons } from './reasons';

export interface OperatorScope {
  operatorNo: string;
  name: string;
  grants: Grant[];
  /** Disabled in the console: signs in nowhere, and their ops are refused. Absent = enabled. */
  disabled?: boolean;
  /** Raised by every new password (operators.password_version). */
  passwordVersion?: number;
}

/** An operator's online sign-in on the pushing device, found by its token. */
export interface SessionOfDevice {
  operatorNo: string;
  expiresAt: string;
}

/** Who an op comes from, which decides what it may touch. */
export type OpActor =
  | {
      kind: 'device';
      /** The operators admitted to the device, with their current grants and state. */
      operators: ReadonlyMap<string, OperatorScope>;
      /** The device's sessions named by the ops, by token; a token not here is not this device's. */
      sessions?: ReadonlyMap<string, SessionOfDevice>;
    }
  | { kind: 'integration'; name: string; stepIds: ReadonlySet<string> }
  /** The server itself, e.g. statuses that arrive with a roster. */
  | { kind: 'system'; name: string };

type StudentFacts = Pick<typeof students.$inferSelect, 'college' | 'flags' | 'withdrawnReason'>;
type StateRow = typeof stepStates.$inferInsert & {
  status: 'pending' | 'passed' | 'rejected';
  version: number;
  updatedAt: string;
  updatedByName: string;
  lastOpId: string;
};
type WaiverRow = typeof waivers.$inferInsert & { lifted: boolean; version: number };
type OpRecord = typeof ops.$inferInsert;

/** How a counter op's operator signed in, as the op log keeps it; null for integrations and the server. */
export function signInOf(op: Op): 'session' | 'offline' {
  return op.session ? 'session' : 'offline';
}

type Change = { table: 'state'; status: 'pending' | 'passed' | 'rejected' } | { table: 'waiver'; lifted: boolean };

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
  op: Op;
  index: BatchIndex;
  input: StudentGateInput;
  state: StateRow | undefined;
  waiver: WaiverRow | undefined;
  actorName: string;
  actorKind: OpActor['kind'];
}

/** A revoke that was applied: the op that "wins" against a pass that did not see it. */
interface AppliedRevoke {
  opId: string;
  operatorId: string;
  clientTime: string;
  resultVersion: number | null;
}

/** A revoke applied in this session, with its position among the session's revokes of every step (their seq order). */
interface SessionRevoke extends AppliedRevoke {
  order: number;
}

const stepKey = (studentNo: string, stepId: string) => `${studentNo}\u0000${stepId}`;

/** Students read per query by preload. */
const PRELOAD_CHUNK = 1000;

/**
 * The single write path of the server: device pushes, integration writes and roster statuses all
 * apply their ops through a session, inside the caller's transaction (which holds the write
 * lock). The session reads each student's rows once, decides every op in memory with the shared
 * evaluator, and writes ops and changed rows in bulk on flush(); seqs are given out on flush, in
 * application order. Callers have already made sure each op is new (idempotency, sequence).
 */
export class ApplySession {
  private readonly studentFacts = new Map<string, StudentFacts | null>();
  /** Every step's status, per student: what the gate evaluator reads. */
  private readonly statuses = new Map<string, Map<string, StateRow['status']>>();
  /** Whole rows, only of the steps ops touch, per student and step; null = no row yet. */
  private readonly stateRows = new Map<string, StateRow | null>();
  private readonly waiverRows = new Map<string, Map<string, WaiverRow>>();
  private readonly pendingOps: { row: OpRecord; result: OpResult }[] = [];
  private readonly dirtyStates = new Set<StateRow>();
  private readonly dirtyWaivers = new Set<WaiverRow>();
  /** Revokes applied in this session, newest last, per student and step. */
  private readonly sessionRevokes = new Map<string, SessionRevoke[]>();
  private sessionRevokeCount = 0;

  constructor(
    private readonly tx: Tx,
    readonly batch: LoadedBatch,
  ) {}

  /**
   * Reads what deciding these ops needs, in a few queries instead of a few per op: each
   * student's facts, waivers and step statuses (aggregated by PostgreSQL: one row per student,
   * not twenty), and the whole row only of the step each op touches.
   */
  async preload(keys: Iterable<{ studentNo: string; stepId: string }>): Promise<void> {
    const list = [...keys];
    const wanted = [...new Set(list.map((k) => k.studentNo))].filter((no) => !this.studentFacts.has(no));
    for (let i = 0; i < wanted.length; i += PRELOAD_CHUNK) {
      const chunk = wanted.slice(i, i + PRELOAD_CHUNK);
      for (const no of chunk) {
        this.studentFacts.set(no, null);
        this.statuses.set(no, new Map());
        this.waiverRows.set(no, new Map());
      }
      const inBatch = (t: typeof students | typeof stepStates | typeof waivers) =>
        and(eq(t.batchId, this.batch.id), inArray(t.studentNo, chunk));
      // One after another: a transaction is one connection, which runs one query at a time.
      const found = await this.tx
        .select({ studentNo: students.studentNo, college: students.college, flags: students.flags, withdrawnReason: students.withdrawnReason })
        .from(students)
        .where(inBatch(students));
      const statusRows = await this.tx
        .select({ studentNo: stepStates.studentNo, statuses: sql<string>`json_object_agg(${stepStates.stepId}, ${stepStates.status})::text` })
        .from(stepStates)
        .where(inBatch(stepStates))
        .groupBy(stepStates.studentNo);
      const waiverRows = await this.tx.select().from(waivers).where(inBatch(waivers));
      for (const s of found) this.studentFacts.set(s.studentNo, { college: s.college, flags: s.flags, withdrawnReason: s.withdrawnReason });
      for (const r of statusRows) {
        const statuses = JSON.parse(r.statuses) as Record<string, StateRow['status']>;
        this.statuses.set(r.studentNo, new Map(Object.entries(statuses)));
      }
      for (const r of waiverRows) this.waiverRows.get(r.studentNo)!.set(r.stepId, r);
    }
    const unread = new Map<string, [string, string]>();
    for (const k of list) {
      const key = stepKey(k.studentNo, k.stepId);
      if (!this.stateRows.has(key)) unread.set(key, [k.studentNo, k.stepId]);
    }
    const rowKeys = [...unread.keys()];
    for (let i = 0; i < rowKeys.length; i += PRELOAD_CHUNK) {
      const chunk = rowKeys.slice(i, i + PRELOAD_CHUNK);
      for (const key of chunk) this.stateRows.set(key, null);
      const pairs = JSON.stringify(chunk.map((key) => unread.get(key)));
      const rows = await this.tx
        .select()
        .from(stepStates)
        .where(
          and(
            eq(stepStates.batchId, this.batch.id),
            sql`(${stepStates.studentNo}, ${stepStates.stepId}) in (select k->>0, k->>1 from json_array_elements(${pairs}::json) as k)`,
          ),
        );
      for (const r of rows) this.stateRows.set(stepKey(r.studentNo, r.stepId), r);
    }
  }

  /** Decides and records one op. Its result's seq is filled in by flush(). */
  async apply(actor: OpActor, op: Op): Promise<OpResult> {
    await this.preload([op]);
    const { decision, ctx } = await this.decide(actor, op);
    let version: number | null = null;
    if (decision.change && ctx) version = this.recordChange(ctx, decision.change);
    let conflictId: number | null = null;
    if (decision.conflict) {
      const [row] = await this.tx
        .insert(conflicts)
        .values({
          batchId: this.batch.id,
          kind: decision.conflict.kind,
          studentNo: op.studentNo,
          stepId: op.stepId,
          winningOpId: decision.conflict.winningOpId,
          flaggedOpId: decision.conflict.flaggedOpId,
          detail: decision.reason ?? '',
          seq: await nextSeq(this.tx),
        })
        .returning({ id: conflicts.id });
      conflictId = row?.id ?? null;
    }
    const applied = decision.change !== null;
    if (applied && op.kind === 'revoke') {
      const key = stepKey(op.studentNo, op.stepId);
      const list = this.sessionRevokes.get(key) ?? [];
      list.push({ opId: op.opId, operatorId: op.operatorId, clientTime: op.clientTime, resultVersion: version, order: this.sessionRevokeCount++ });
      this.sessionRevokes.set(key, list);
    }
    return this.record(op, decision.outcome, applied, decision.reason, version, conflictId, actor.kind === 'device' ? signInOf(op) : null);
  }

  /**
   * Records an op as rejected without deciding it: its content cannot be stored as sent. The
   * op given is the storable form (storableOp), so the log keeps what can be kept of it.
   */
  refuse(op: Op, reason: string): OpResult {
    return this.record(op, 'rejected', false, reason, null, null, signInOf(op));
  }

  private record(
    op: Op,
    outcome: OpResult['outcome'],
    applied: boolean,
    reason: string | null,
    version: number | null,
    conflictId: number | null,
    signIn: OpRecord['signIn'],
  ): OpResult {
    const result: OpResult = { opId: op.opId, deviceSeq: op.deviceSeq, outcome, applied, reason, conflictId, version, seq: 0, duplicate: false };
    this.pendingOps.push({
      row: {
        opId: op.opId,
        batchId: this.batch.id,
        deviceId: op.deviceId,
        deviceSeq: op.deviceSeq,
        operatorId: op.operatorId,
        kind: op.kind,
        studentNo: op.studentNo,
        stepId: op.stepId,
        note: op.args.note,
        baseVersion: op.base.version,
        clientTime: op.clientTime,
        outcome,
        applied,
        reason,
        resultVersion: version,
        conflictId,
        signIn,
        seq: 0,
      },
      result,
    });
    return result;
  }

  /** Writes every recorded op and changed row, each with its own new seq. */
  async flush(): Promise<void> {
    const total = this.pendingOps.length + this.dirtyStates.size + this.dirtyWaivers.size;
    if (total === 0) return;
    let seq = await reserveSeqs(this.tx, total);
    for (const p of this.pendingOps) p.result.seq = p.row.seq = seq++;
    for (const s of this.dirtyStates) s.seq = seq++;
    for (const w of this.dirtyWaivers) w.seq = seq++;
    await bulkInsert(this.tx, ops, this.pendingOps.map((p) => p.row));
    await bulkInsert(this.tx, stepStates, [...this.dirtyStates], [stepStates.batchId, stepStates.studentNo, stepStates.stepId]);
    await bulkInsert(this.tx, waivers, [...this.dirtyWaivers], [waivers.batchId, waivers.studentNo, waivers.stepId]);
    this.pendingOps.length = 0;
    this.dirtyStates.clear();
    this.dirtyWaivers.clear();
  }

  private async decide(actor: OpActor, op: Op): Promise<{ decision: Decision; ctx: Context | null }> {
    const fail = (reason: string) => ({ decision: rejected(reason), ctx: null });
    const { batch } = this;
    if (!batch.index.hasStep(op.stepId)) return fail(reasons.unknownStep(op.stepId));
    const student = this.studentFacts.get(op.studentNo);
    if (!student) return fail(reasons.unknownStudent(op.studentNo));

    const { step, checkpoint } = batch.index.step(op.stepId);
    let access: Refusal | null;
    let actorName: string;
    let index = batch.index;
    if (actor.kind === 'device') {
      if (op.session) {
        const session = actor.sessions?.get(op.session);
        if (!session || session.operatorNo !== op.operatorId) return fail(reasons.sessionUnknown(op.operatorId));
        // The time the op was made, by the counter's clock, against the expiry it was told by the server.
        if (Date.parse(op.clientTime) > Date.parse(session.expiresAt)) return fail(reasons.sessionExpired(op.operatorId));
      }
      const operator = actor.operators.get(op.operatorId);
      if (!operator) return fail(reasons.operatorNotOnDevice(op.operatorId));
      if (operator.disabled) return fail(reasons.operatorDisabled(op.operatorId));
      const grant = operator.grants.find((g) => g.checkpointId === checkpoint.id);
      if (!grant) return fail(reasons.noGrant(checkpoint.name, step.name));
      access = accessRefusal(grant, checkpoint, student);
      actorName = operator.name;
    } else {
      if (actor.kind === 'integration' && !actor.stepIds.has(op.stepId)) return fail(reasons.integrationStep(step.name));
      access = withdrawnRefusal(student);
      actorName = actor.name;
      index = batch.integrationIndex;
    }
    const waiverRows = this.waiverRows.get(op.studentNo)!;
    const ctx: Context = {
      op,
      index,
      input: {
        student,
        status: new Map(this.statuses.get(op.studentNo)),
        lifted: new Set([...waiverRows.values()].filter((w) => w.lifted).map((w) => w.stepId)),
      },
      state: this.stateRows.get(stepKey(op.studentNo, op.stepId)) ?? undefined,
      waiver: waiverRows.get(op.stepId),
      actorName,
      actorKind: actor.kind,
    };
    return { decision: await this.decideKind(ctx, access), ctx };
  }

  private async decideKind(ctx: Context, access: Refusal | null): Promise<Decision> {
    const { op, index, input, state } = ctx;
    if (op.kind === 'lift' || op.kind === 'impose') {
      if (access) return rejected(reasons.refusal(access));
      return op.kind === 'lift' ? decideLift(ctx) : decideImpose(ctx);
    }
    const check = checkActions(index, input, op.stepId, access);
    // Only counters report the version they saw; integrations and the server itself write blind.
    const stale = ctx.actorKind === 'device' && op.base.version < (state?.version ?? 0);

    if (op.kind === 'pass') {
      if (check.pass && check.pass.code !== 'already_passed' && check.pass.code !== 'blocked') {
        return rejected(reasons.refusal(check.pass));
      }
      if (stale) {
        const revoke = await this.revokeSince(op.studentNo, op.stepId, op.base.version);
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
        const missing = check.pass.missing.flatMap((g) => g.steps.map((s) => s.id));
        const revoke = await this.latestRevokeOf(op.studentNo, missing);
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

  /** The latest applied revoke of this step that produced a version newer than `base`. */
  private async revokeSince(studentNo: string, stepId: string, base: number): Promise<AppliedRevoke | undefined> {
    const recent = (this.sessionRevokes.get(stepKey(studentNo, stepId)) ?? []).filter((r) => (r.resultVersion ?? 0) > base);
    if (recent.length > 0) return recent[recent.length - 1];
    const [row] = await this.tx
      .select({ opId: ops.opId, operatorId: ops.operatorId, clientTime: ops.clientTime, resultVersion: ops.resultVersion })
      .from(ops)
      .where(and(this.revokesOf(studentNo, [stepId]), gt(ops.resultVersion, base)))
      .orderBy(desc(ops.resultVersion))
      .limit(1);
    return row;
  }

  /** The most recent applied revoke among the given steps of a student, if any. */
  /**
   * The newest applied revoke among the missing steps: what a supervisor is shown as the cause.
   * It must not depend on how ops were grouped into pushes, so every missing step is looked at;
   * revokes of this session are newer than anything stored and ordered as they were applied.
   */
  private async latestRevokeOf(studentNo: string, stepIds: string[]): Promise<{ opId: string } | undefined> {
    let newest: SessionRevoke | undefined;
    for (const stepId of stepIds) {
      const last = this.sessionRevokes.get(stepKey(studentNo, stepId))?.at(-1);
      if (last && (!newest || last.order > newest.order)) newest = last;
    }
    if (newest) return newest;
    const [row] = await this.tx
      .select({ opId: ops.opId })
      .from(ops)
      .where(this.revokesOf(studentNo, stepIds))
      .orderBy(desc(ops.seq))
      .limit(1);
    return row;
  }

  private revokesOf(studentNo: string, stepIds: string[]) {
    return and(
      eq(ops.batchId, this.batch.id),
      eq(ops.studentNo, studentNo),
      inArray(ops.stepId, stepIds),
      eq(ops.kind, 'revoke'),
      eq(ops.applied, true),
    );
  }

  /** Updates the in-memory row and marks it for flush; returns the row's new version. */
  private recordChange(ctx: Context, change: Change): number {
    const { op } = ctx;
    const key = { batchId: this.batch.id, studentNo: op.studentNo, stepId: op.stepId, note: op.args.note, updatedAt: op.clientTime, updatedBy: op.operatorId, lastOpId: op.opId, seq: 0 };
    if (change.table === 'waiver') {
      const row: WaiverRow = { ...key, lifted: change.lifted, version: (ctx.waiver?.version ?? 0) + 1 };
      this.waiverRows.get(op.studentNo)!.set(op.stepId, row);
      if (ctx.waiver) this.dirtyWaivers.delete(ctx.waiver);
      this.dirtyWaivers.add(row);
      return row.version;
    }
    const version = (ctx.state?.version ?? 0) + 1;
    const row: StateRow = { ...key, status: change.status, version, updatedByName: ctx.actorName };
    this.stateRows.set(stepKey(op.studentNo, op.stepId), row);
    this.statuses.get(op.studentNo)!.set(op.stepId, row.status);
    if (ctx.state) this.dirtyStates.delete(ctx.state);
    this.dirtyStates.add(row);
    return version;
  }
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
