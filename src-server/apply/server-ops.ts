import { eq, max } from 'drizzle-orm';
import type { Op, OpKind } from '../../src-shared/contract/ops';
import type { OpResult } from '../../src-shared/contract/sync';
import type { Tx } from '../db/database';
import { ops } from '../db/schema';
import type { ApplySession, OpActor } from './apply-op';
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
 * Numbers the ops of a source that has no outbox of its own (an integration, the roster import)
 * in its own device sequence, "integration:library" or "system:roster". The caller holds the
 * write lock, so the sequence cannot move underneath.
 */
export class ServerOpSource {
  private constructor(
    readonly deviceId: string,
    private last: number,
  ) {}

  static async open(tx: Tx, deviceId: string): Promise<ServerOpSource> {
    const [row] = await tx.select({ last: max(ops.deviceSeq) }).from(ops).where(eq(ops.deviceId, deviceId));
    return new ServerOpSource(deviceId, row?.last ?? 0);
  }

  op(input: ServerOpInput, deviceSeq = ++this.last): Op {
    return ServerOpSource.numbered(this.deviceId, input, deviceSeq);
  }

  /** The op an input becomes as the source's op number deviceSeq. */
  static numbered(deviceId: string, input: ServerOpInput, deviceSeq: number): Op {
    return {
      opId: input.opId,
      deviceId,
      deviceSeq,
      operatorId: deviceId.slice(deviceId.indexOf(':') + 1),
      kind: input.kind,
      studentNo: input.studentNo,
      stepId: input.stepId,
      args: { note: input.note },
      base: { version: 0 },
      clientTime: input.time,
    };
  }
}

/** Applies one op from another campus system; a retry with the same opId gets the stored outcome. */
export async function applyIntegrationOp(
  tx: Tx,
  session: ApplySession,
  actor: Extract<OpActor, { kind: 'integration' }>,
  source: ServerOpSource,
  input: ServerOpInput,
): Promise<OpResult> {
  const [before] = await tx.select().from(ops).where(eq(ops.opId, input.opId));
  if (before) {
    if (!sameOp(before, source.op(input, before.deviceSeq))) throw new OpIdReused(input.opId);
    return storedResult(before);
  }
  const result = await session.apply(actor, source.op(input));
  await session.flush();
  return result;
}
