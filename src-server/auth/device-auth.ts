import { eq } from 'drizzle-orm';
import type { Executor } from '../db/database';
import { deviceOperators, devices } from '../db/schema';
import type { OperatorScope } from '../apply/apply-op';
import { loadOperatorScopes } from './operators';
import { hashToken } from './tokens';

export interface AuthenticatedDevice {
  id: string;
  name: string;
  batchId: string;
  /** Operators who have signed in on this device, with their grants. */
  operators: Map<string, OperatorScope>;
}

export type DeviceAuthFailure = 'unauthorized' | 'device_revoked';

/** The device a bearer token belongs to, or why it cannot be used. */
export async function authenticateDevice(
  exec: Executor,
  token: string | null,
): Promise<AuthenticatedDevice | DeviceAuthFailure> {
  if (!token) return 'unauthorized';
  const [row] = await exec.select().from(devices).where(eq(devices.tokenHash, hashToken(token)));
  if (!row) return 'unauthorized';
  if (row.revoked) return 'device_revoked';
  const linked = await exec
    .select({ operatorNo: deviceOperators.operatorNo })
    .from(deviceOperators)
    .where(eq(deviceOperators.deviceId, row.id));
  return {
    id: row.id,
    name: row.name,
    batchId: row.batchId,
    operators: await loadOperatorScopes(
      exec,
      linked.map((l) => l.operatorNo),
    ),
  };
}
