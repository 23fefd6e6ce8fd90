import { eq, max } from 'drizzle-orm';
import type { OpKind } from '../../src-shared/contract/ops';
import type { OpResult } from '../../src-shared/contract/sync';
import type { Tx } from '../db/database';
import { ops } from '../db/schema';
import type { LoadedBatch } from '../sync/batch-cache';
import { applyOp, type OpActor } from './apply-op';
import { sameOp, storedResult } from './stored-ops';

export const STATUS_TO_KIND = { passed: 'pass', rejected: 'reject', pending: 'revoke' } as const satisfies Record<
  string,
  OpKind
>;

export interface ServerOpInput {
  opId: string;
  studentNo: string;
  stepId: string;
  kind: OpKind;
  note: string;
  time: string;
}

export class OpIdReused extends Error {
  constructor(opId: string) {
    super(`操作 ${opId} 已以不同内容提交过，拒绝覆盖`);
    this.name = 'OpIdReused';
  }
}

/**
 * Applies an op that does not come from a counter's outbox (an integration, the roster import),
 * numbering it in the source's own device sequence. The caller holds the write lock.
 */
export async function applyServerOp(
  tx: Tx,
  batch: LoadedBatch,
  actor: Exclude<OpActor, { kind: 'device' }>,
  deviceId: string,
  input: ServerOpInput,
): Promise<OpResult> {
  const [before] = await tx.select().from(ops).where(eq(ops.opId, input.opId));
  const [{ last } = { last: 0 }] = await tx
    .select({ last: max(ops.deviceSeq) })
    .from(ops)
    .where(eq(ops.deviceId, deviceId));
  const op = {
    opId: input.opId,
    deviceId,
    deviceSeq: before?.deviceSeq ?? (last ?? 0) + 1,
    operatorId: deviceId.slice(deviceId.indexOf(':') + 1),
    kind: input.kind,
    studentNo: input.studentNo,
    stepId: input.stepId,
    args: { note: input.note },
    base: { version: 0 },
    clientTime: input.time,
  };
  if (before) {
    if (!sameOp(before, op)) throw new OpIdReused(input.opId);
    return storedResult(before);
  }
  return applyOp(tx, batch, actor, op);
}
