import { and, desc, eq } from 'drizzle-orm';
import type { Executor } from '../db/database';
import { apiKeys, devices, ops } from '../db/schema';
import { hashToken, newToken } from '../auth/tokens';
import { AdminError } from './admin-error';
import { requireBatch } from './batches';

export async function listDevices(exec: Executor) {
  return exec
    .select({
      id: devices.id,
      name: devices.name,
      batchId: devices.batchId,
      registeredBy: devices.registeredBy,
      lastSeq: devices.lastSeq,
      revoked: devices.revoked,
      createdAt: devices.createdAt,
      lastSeenAt: devices.lastSeenAt,
    })
    .from(devices)
    .orderBy(devices.createdAt);
}

/** A revoked device's token stops working at once; its stored ops stay. */
export async function revokeDevice(exec: Executor, deviceId: string): Promise<void> {
  const updated = await exec.update(devices).set({ revoked: true }).where(eq(devices.id, deviceId)).returning({ id: devices.id });
  if (updated.length === 0) throw new AdminError(`没有编号为 "${deviceId}" 的设备`);
}

/**
 * Counter ops the server refused, newest first: each stays in the op log with its reason and
 * how its operator signed in (the counter shows the same under 冲突与被拒).
 */
export async function listRejectedOps(exec: Executor, deviceId: string | undefined, limit: number) {
  return exec
    .select({
      receivedAt: ops.receivedAt,
      deviceId: ops.deviceId,
      deviceName: devices.name,
      deviceSeq: ops.deviceSeq,
      operatorId: ops.operatorId,
      kind: ops.kind,
      studentNo: ops.studentNo,
      stepId: ops.stepId,
      signIn: ops.signIn,
      reason: ops.reason,
    })
    .from(ops)
    .innerJoin(devices, eq(devices.id, ops.deviceId))
    .where(and(eq(ops.outcome, 'rejected'), deviceId === undefined ? undefined : eq(ops.deviceId, deviceId)))
    .orderBy(desc(ops.seq))
    .limit(limit);
}

const KEY_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

/**
 * An API key for another campus system, limited to the given steps; for the authoritative ones
 * its full list may also revoke the passes it made itself. Returns the key, shown once.
 */
export async function createApiKey(
  exec: Executor,
  id: string,
  name: string,
  batchId: string,
  stepIds: string[],
  authoritativeStepIds: string[] = [],
): Promise<string> {
  if (!KEY_ID.test(id)) throw new AdminError(`接口编号 "${id}" 无效：只能用小写字母、数字和连字符`);
  const batch = await requireBatch(exec, batchId);
  if (stepIds.length === 0) throw new AdminError('至少指定一个允许写入的环节');
  const known = new Set(batch.definition.checkpoints.flatMap((c) => c.steps.map((s) => s.id)));
  const unknown = stepIds.filter((s) => !known.has(s));
  if (unknown.length > 0) throw new AdminError(`批次 "${batchId}" 中没有这些环节：${unknown.join('、')}`);
  const outside = authoritativeStepIds.filter((s) => !stepIds.includes(s));
  if (outside.length > 0) throw new AdminError(`权威名单的环节必须在允许写入的环节之中：${outside.join('、')}`);
  const [existing] = await exec.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.id, id));
  if (existing) throw new AdminError(`接口编号 "${id}" 已存在`);
  const key = newToken('lxk_');
  await exec.insert(apiKeys).values({ id, name, batchId, keyHash: hashToken(key), stepIds, authoritativeStepIds });
  return key;
}

export async function revokeApiKey(exec: Executor, id: string): Promise<void> {
  const updated = await exec.update(apiKeys).set({ revoked: true }).where(eq(apiKeys.id, id)).returning({ id: apiKeys.id });
  if (updated.length === 0) throw new AdminError(`没有编号为 "${id}" 的接口密钥`);
}
