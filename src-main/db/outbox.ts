import type Database from 'better-sqlite3';
import type { Op, OpKind, OpOutcome } from '../../src-shared/contract/ops';

/** Reads and acknowledgements of the outbox for the sync client; ops are written only by the mutation path. */

export interface OutboxRow {
  device_seq: number;
  op_id: string;
  device_id: string;
  operator_id: string;
  kind: OpKind;
  student_no: string;
  step_id: string;
  args: string;
  base_version: number;
  client_time: string;
  session: string | null;
}

export function toOp(r: OutboxRow): Op {
  return {
    opId: r.op_id,
    deviceId: r.device_id,
    deviceSeq: r.device_seq,
    operatorId: r.operator_id,
    kind: r.kind,
    studentNo: r.student_no,
    stepId: r.step_id,
    args: JSON.parse(r.args) as { note: string },
    base: { version: r.base_version },
    clientTime: r.client_time,
    session: r.session,
  };
}

/** The oldest ops the server has not acknowledged, in deviceSeq order. */
export function unackedOps(sqlite: Database.Database, limit: number): Op[] {
  const rows = sqlite
    .prepare('select * from outbox where acked_at is null order by device_seq limit ?')
    .all(limit) as OutboxRow[];
  return rows.map(toOp);
}

/**
 * Ops from a deviceSeq on, acknowledged or not: after a seq_gap the server names where it
 * wants the sequence to resume, and the outbox keeps every op so it can be sent again.
 */
export function opsFrom(sqlite: Database.Database, deviceSeq: number, limit: number): Op[] {
  const rows = sqlite.prepare('select * from outbox where device_seq >= ? order by device_seq limit ?').all(deviceSeq, limit) as OutboxRow[];
  return rows.map(toOp);
}

export function unsentCount(sqlite: Database.Database): number {
  return (sqlite.prepare('select count(*) as n from outbox where acked_at is null').get() as { n: number }).n;
}

export interface OpAck {
  opId: string;
  outcome: OpOutcome;
  applied: boolean;
  reason: string | null;
}

export interface AckedKey {
  kind: OpKind;
  studentNo: string;
  stepId: string;
}

/**
 * Stores the server's verdict on each op. The outcome of an op is final, so a later answer for
 * the same op (a retried push, an op row in a pull) only fills what is still empty. Returns
 * the keys of ops that did not change the server's state: their optimistic local change must
 * be rolled back to the server's row.
 */
export function recordAcks(sqlite: Database.Database, acks: readonly OpAck[], at: string): AckedKey[] {
  const find = sqlite.prepare('select kind, student_no, step_id, acked_at from outbox where op_id = ?');
  const update = sqlite.prepare('update outbox set acked_at = ?, outcome = ?, outcome_reason = ? where op_id = ? and acked_at is null');
  const notApplied: AckedKey[] = [];
  for (const ack of acks) {
    const row = find.get(ack.opId) as { kind: OpKind; student_no: string; step_id: string; acked_at: string | null } | undefined;
    if (!row || row.acked_at !== null) continue;
    update.run(at, ack.outcome, ack.reason, ack.opId);
    if (!ack.applied) notApplied.push({ kind: row.kind, studentNo: row.student_no, stepId: row.step_id });
  }
  return notApplied;
}
