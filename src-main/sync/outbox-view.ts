import type { OpKind } from '../../src-shared/contract/ops';
import type { OutboxOpDto } from '../../src-shared/contract/sync-api';
import type { Replica } from '../db/open';

export interface OutboxOpRow {
  op_id: string;
  device_seq: number;
  kind: OpKind;
  student_no: string;
  step_id: string;
  operator_id: string;
  client_time: string;
  args: string;
  outcome_reason: string | null;
  acked_at: string | null;
  repaired_from: string | null;
}

export function stepName(replica: Replica, stepId: string): string {
  return replica.batch.hasStep(stepId) ? replica.batch.step(stepId).step.name : stepId;
}

/** An outbox op as the sync panel names it to the operator: student, step, time, who, note. */
export function outboxOpView(replica: Replica): (row: OutboxOpRow) => OutboxOpDto {
  const nameOf = replica.sqlite.prepare('select name from students where student_no = ?');
  return (op) => ({
    opId: op.op_id,
    deviceSeq: op.device_seq,
    kind: op.kind,
    studentNo: op.student_no,
    studentName: (nameOf.get(op.student_no) as { name: string } | undefined)?.name ?? null,
    stepId: op.step_id,
    stepName: stepName(replica, op.step_id),
    operatorId: op.operator_id,
    clientTime: op.client_time,
    note: (JSON.parse(op.args) as { note: string }).note,
  });
}
