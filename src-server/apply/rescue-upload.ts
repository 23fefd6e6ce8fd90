import { eq } from 'drizzle-orm';
import { MAX_PUSH_OPS, type OpResult } from '../../src-shared/contract/sync';
import type { RescueFile, RescueUpload } from '../../src-shared/contract/rescue';
import { repairText } from '../../src-shared/contract/text-rule';
import type { Op } from '../../src-shared/contract/ops';
import { deviceById } from '../auth/device-auth';
import type { Db } from '../db/database';
import { devices } from '../db/schema';
import type { BatchCache } from '../sync/batch-cache';
import { pushOps } from './push-ops';

/** A rescue file the server will not take from this uploader; nothing of it is stored. */
export class RescueRefused extends Error {
  constructor(
    readonly code: 'unknown_device' | 'forbidden' | 'device_revoked',
    message: string,
  ) {
    super(message);
    this.name = 'RescueRefused';
  }
}

/** Who uploads: the administrator at the server, or another counter of the same batch. */
export type RescueUploader = { kind: 'admin' } | { kind: 'device'; id: string; batchId: string };

/**
 * The ops that can be stored now: those the server may already hold, then the unbroken run
 * after the device's last stored op. A rescue read from a damaged replica may miss rows; the
 * ops after the first missing one wait, since the server keeps each device's sequence gapless.
 */
function sendable(ops: Op[], lastSeq: number): { send: Op[]; missingSeq: number | null; waiting: number } {
  const sorted = [...ops].sort((a, b) => a.deviceSeq - b.deviceSeq);
  const send: Op[] = [];
  let next = lastSeq + 1;
  for (const [i, op] of sorted.entries()) {
    // Below `next`: stored before, or a deviceSeq twice; the push path answers or refuses either.
    if (op.deviceSeq < next) send.push(op);
    else if (op.deviceSeq === next) {
      send.push(op);
      next++;
    } else return { send, missingSeq: next, waiting: sorted.length - i };
  }
  return { send, missingSeq: null, waiting: 0 };
}

/**
 * Uploads a rescue file through the device push path (pushOps), in pushes of at most
 * MAX_PUSH_OPS: every op is stored once, and a second upload of the same file stores nothing new.
 */
export async function uploadRescue(db: Db, batches: BatchCache, rescue: RescueFile, uploader: RescueUploader): Promise<RescueUpload> {
  const found = await deviceById(db, rescue.deviceId);
  const deviceId = repairText(rescue.deviceId);
  if (!found) {
    throw new RescueRefused('unknown_device', `救援文件中的柜台 ${deviceId} 没有在本服务器登记，无法导入；请确认文件来自连接本服务器的柜台`);
  }
  const { device, revoked } = found;
  if (uploader.kind === 'device' && device.batchId !== uploader.batchId) {
    throw new RescueRefused('forbidden', `救援文件中的柜台 ${deviceId}（${device.name}）属于另一个离校批次，不能由本柜台上传，请交给管理员导入`);
  }
  if (uploader.kind === 'device' && revoked) {
    throw new RescueRefused('device_revoked', `救援文件中的柜台 ${deviceId}（${device.name}）已被管理员停用，它的救援文件只能由管理员导入（npm run admin -- import-rescue 文件）`);
  }
  const [row] = await db.select({ lastSeq: devices.lastSeq }).from(devices).where(eq(devices.id, device.id));
  const { send, missingSeq, waiting } = sendable(rescue.ops, row?.lastSeq ?? 0);
  const results: OpResult[] = [];
  for (let i = 0; i < send.length; i += MAX_PUSH_OPS) {
    const response = await pushOps(db, batches, device, send.slice(i, i + MAX_PUSH_OPS), { acceptRevoked: uploader.kind === 'admin' });
    results.push(...response.results);
  }
  const fresh = results.filter((r) => !r.duplicate);
  return {
    deviceId: device.id,
    deviceName: device.name,
    stored: fresh.length,
    duplicates: results.length - fresh.length,
    rejected: fresh.filter((r) => r.outcome === 'rejected').length,
    conflicts: fresh.filter((r) => r.outcome === 'conflict').length,
    missingSeq,
    waiting,
    results,
  };
}
