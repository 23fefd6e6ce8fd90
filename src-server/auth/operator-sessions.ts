import { and, eq, inArray } from 'drizzle-orm';
import type { OperatorSession } from '../../src-shared/contract/sync';
import type { Executor } from '../db/database';
import { operatorSessions } from '../db/schema';
import type { SessionOfDevice } from '../apply/apply-op';
import { hashToken, newToken } from './tokens';

/** A working day at the counter; ops made after it are marked as made under an offline sign-in (docs/security.md). */
export const OPERATOR_SESSION_HOURS = 12;

/** An online sign-in of this operator on this device. The token is returned once; only its hash is kept. */
export async function openOperatorSession(exec: Executor, deviceId: string, operatorNo: string, now = new Date()): Promise<OperatorSession> {
  const token = newToken('lxs_');
  const expiresAt = new Date(now.getTime() + OPERATOR_SESSION_HOURS * 3_600_000).toISOString();
  await exec.insert(operatorSessions).values({ tokenHash: hashToken(token), deviceId, operatorNo, expiresAt });
  return { token, expiresAt };
}

/** The sessions of this device among the tokens given, by token; a token of another device, or of none, is absent. */
export async function sessionsOfDevice(exec: Executor, deviceId: string, tokens: Iterable<string>): Promise<Map<string, SessionOfDevice>> {
  const byHash = new Map([...new Set(tokens)].map((token) => [hashToken(token), token]));
  const found = new Map<string, SessionOfDevice>();
  if (byHash.size === 0) return found;
  const rows = await exec
    .select()
    .from(operatorSessions)
    .where(and(eq(operatorSessions.deviceId, deviceId), inArray(operatorSessions.tokenHash, [...byHash.keys()])));
  for (const row of rows) found.set(byHash.get(row.tokenHash)!, { operatorNo: row.operatorNo, expiresAt: new Date(row.expiresAt).toISOString() });
  return found;
}
