import type { Op } from '../../src-shared/contract/ops';
import type { OpResult } from '../../src-shared/contract/sync';
import type { ops } from '../db/schema';

type OpRecord = typeof ops.$inferSelect;

/** The answer to a retried op: what was decided the first time. */
export function storedResult(row: OpRecord): OpResult {
  return {
    opId: row.opId,
    deviceSeq: row.deviceSeq,
    outcome: row.outcome,
    applied: row.applied,
    reason: row.reason,
    conflictId: row.conflictId,
    version: row.resultVersion,
    seq: row.seq,
    duplicate: true,
  };
}

/** Whether a retry carries the op that was stored, not a different one reusing its id. */
export function sameOp(a: Op | OpRecord, b: Op): boolean {
  const noteA = 'args' in a ? a.args.note : a.note;
  return (
    a.deviceId === b.deviceId &&
    a.deviceSeq === b.deviceSeq &&
    a.kind === b.kind &&
    a.studentNo === b.studentNo &&
    a.stepId === b.stepId &&
    a.operatorId === b.operatorId &&
    noteA === b.args.note
  );
}
