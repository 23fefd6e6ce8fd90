import { eq, inArray, sql } from 'drizzle-orm';
import { opContentProblem, storableOp, type Op } from '../../src-shared/contract/ops';
import { repairText } from '../../src-shared/contract/text-rule';
import type { OpResult, PushResponse } from '../../src-shared/contract/sync';
import type { Db, Tx } from '../db/database';
import { dbErrorDetail, dbErrorKind } from '../db/db-errors';
import { devices, ops } from '../db/schema';
import type { AuthenticatedDevice } from '../auth/device-auth';
import type { BatchCache, LoadedBatch } from '../sync/batch-cache';
import { currentSeq, lockWrites } from '../sync/seq';
import { readHistory } from '../sync/history';
import { ApplySession, type OpActor } from './apply-op';
import { sessionsOfDevice } from '../auth/operator-sessions';
import { reasons } from './reasons';
import { storedResult, sameOp } from './stored-ops';

/** A push the server refuses as a whole; nothing of it is stored. */
export class PushRefused extends Error {
  constructor(
    readonly code: 'seq_gap' | 'op_mismatch' | 'forbidden' | 'device_revoked',
    message: string,
    readonly expectedDeviceSeq?: number,
  ) {
    super(message);
    this.name = 'PushRefused';
  }
}

/** An op of a push as the server will store it, and why it cannot be applied (null: it can). */
interface CheckedOp {
  op: Op;
  problem: string | null;
}

/**
 * Stores and applies a device's ops in one transaction. Ops seen before answer with their stored
 * outcome; new ones must continue the device's sequence without a gap, or nothing is stored.
 *
 * One op never stops the others: an op whose text the database cannot hold is checked before
 * the transaction and stored as rejected (in its repaired form). Should the database still
 * refuse a value (a data error), the push runs again with each op on its own savepoint, and the
 * op it refuses is stored as rejected with the database's reason.
 */
export interface PushOptions {
  /**
   * Store the ops of a revoked device: an administrator importing its rescue file vouches for
   * them (a counter whose disk died is often revoked before its ops are rescued).
   */
  acceptRevoked?: boolean;
}

export async function pushOps(db: Db, batches: BatchCache, device: AuthenticatedDevice, input: Op[], options: PushOptions = {}): Promise<PushResponse> {
  const byId = new Map<string, Op>();
  for (const op of input) {
    if (op.deviceId !== device.id) {
      throw new PushRefused('forbidden', `操作 ${op.opId} 的设备编号 ${repairText(op.deviceId)} 与当前柜台 ${device.id} 不符`);
    }
    const seen = byId.get(op.opId);
    if (seen && !sameOp(seen, op)) throw new PushRefused('op_mismatch', `同一次上传中操作 ${op.opId} 出现了两个不同的内容`);
    byId.set(op.opId, op);
  }
  const checked: CheckedOp[] = [...byId.values()]
    .sort((a, b) => a.deviceSeq - b.deviceSeq)
    .map((op) => {
      const problem = opContentProblem(op);
      return { op: storableOp(op), problem: problem === null ? null : reasons.unstorable(problem) };
    });
  const store = (isolate: boolean) => db.transaction((tx) => storePush(tx, batches, device, checked, input, isolate, options));
  try {
    return await store(false);
  } catch (e) {
    if (dbErrorKind(e) !== 'data') throw e;
    return store(true);
  }
}

async function storePush(
  tx: Tx,
  batches: BatchCache,
  device: AuthenticatedDevice,
  checked: CheckedOp[],
  input: Op[],
  isolate: boolean,
  options: PushOptions,
): Promise<PushResponse> {
  await lockWrites(tx);
  const batch = await batches.get(tx, device.batchId);
  if (!batch) throw new Error(`device ${device.id} belongs to missing batch ${device.batchId}`);
  const [deviceRow] = await tx
    .select({ lastSeq: devices.lastSeq, revoked: devices.revoked })
    .from(devices)
    .where(eq(devices.id, device.id))
    .for('update');
  if (!deviceRow || (deviceRow.revoked && !options.acceptRevoked)) throw new PushRefused('device_revoked', '此柜台已被管理员停用，请联系管理员');

  const stored = new Map(
    (await tx.select().from(ops).where(inArray(ops.opId, checked.map((c) => c.op.opId)))).map((r) => [r.opId, r]),
  );
  const results = new Map<string, OpResult>();
  const session = new ApplySession(tx, batch);
  if (!isolate) await session.preload(checked.filter((c) => c.problem === null && !stored.has(c.op.opId)).map((c) => c.op));
  const tokens = checked.flatMap((c) => (c.op.session ? [c.op.session] : []));
  const actor = { kind: 'device' as const, operators: device.operators, sessions: await sessionsOfDevice(tx, device.id, tokens) };
  let lastSeq = deviceRow.lastSeq;
  for (const { op, problem } of checked) {
    const before = stored.get(op.opId);
    if (before) {
      if (!sameOp(before, op)) {
        throw new PushRefused('op_mismatch', `操作 ${op.opId} 已以不同内容上传过（设备序号 ${before.deviceSeq}），拒绝覆盖`);
      }
      results.set(op.opId, storedResult(before));
      continue;
    }
    if (op.deviceSeq <= lastSeq) {
      throw new PushRefused('op_mismatch', `设备序号 ${op.deviceSeq} 已被另一个操作使用，拒绝重复编号的操作 ${op.opId}`);
    }
    if (op.deviceSeq !== lastSeq + 1) {
      throw new PushRefused(
        'seq_gap',
        `设备序号不连续：服务器需要序号 ${lastSeq + 1}，收到的是 ${op.deviceSeq}。请从序号 ${lastSeq + 1} 起按顺序上传`,
        lastSeq + 1,
      );
    }
    if (problem !== null) results.set(op.opId, session.refuse(op, problem));
    else if (isolate) results.set(op.opId, await applyAlone(tx, batch, actor, op));
    else results.set(op.opId, await session.apply(actor, op));
    lastSeq = op.deviceSeq;
  }
  await session.flush();
  await tx.update(devices).set({ lastSeq, lastSeenAt: sql`now()` }).where(eq(devices.id, device.id));
  return {
    results: input.map((op) => results.get(op.opId)!),
    lastDeviceSeq: lastSeq,
    serverSeq: await currentSeq(tx),
    history: await readHistory(tx),
  };
}

/** One op on its own savepoint; a value the database refuses rejects this op only. */
export async function applyAlone(tx: Tx, batch: LoadedBatch, actor: OpActor, op: Op): Promise<OpResult> {
  try {
    return await tx.transaction(async (savepoint) => {
      const session = new ApplySession(savepoint, batch);
      const result = await session.apply(actor, op);
      await session.flush();
      return result;
    });
  } catch (e) {
    if (dbErrorKind(e) !== 'data') throw e;
    const session = new ApplySession(tx, batch);
    const result = session.refuse(op, reasons.unstorable(dbErrorDetail(e)));
    await session.flush();
    return result;
  }
}
