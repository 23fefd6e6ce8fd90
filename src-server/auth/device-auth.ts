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
  return withOperators(exec, row);
}

/**
 * A registered device by its id, whether revoked or not, as its ops are checked: for ops that
 * come from a rescue file instead of the device itself.
 */
export async function deviceById(exec: Executor, id: string): Promise<{ device: AuthenticatedDevice; revoked: boolean } | null> {
  const [row] = await exec.select().from(devices).where(eq(devices.id, id));
  if (!row) return null;
  return { device: await withOperators(exec, row), revoked: row.revoked };
}

async function withOperators(exec: Executor, row: typeof devices.$inferSelect): Promise<AuthenticatedDevice> {
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
