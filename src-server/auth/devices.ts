import { and, eq } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { Executor } from '../db/database';
import { deviceOperators, devices } from '../db/schema';
import { hashToken, newToken } from './tokens';

/** Registers a counter for a batch; the token is returned once and only its hash is kept. */
export async function registerDevice(
  exec: Executor,
  operatorNo: string,
  name: string,
  batchId: string,
): Promise<{ deviceId: string; token: string }> {
  const deviceId = uuidv7();
  const token = newToken('lxd_');
  await exec.insert(devices).values({ id: deviceId, name, batchId, tokenHash: hashToken(token), registeredBy: operatorNo });
  await admitOperator(exec, deviceId, operatorNo);
  return { deviceId, token };
}

/** Lets the device carry this operator's ops from now on; true if the operator is new to it. */
export async function admitOperator(exec: Executor, deviceId: string, operatorNo: string): Promise<boolean> {
  const [known] = await exec
    .select({ no: deviceOperators.operatorNo })
    .from(deviceOperators)
    .where(and(eq(deviceOperators.deviceId, deviceId), eq(deviceOperators.operatorNo, operatorNo)));
  if (known) return false;
  await exec.insert(deviceOperators).values({ deviceId, operatorNo });
  return true;
}
