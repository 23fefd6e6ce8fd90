import { and, eq, gt, lte } from 'drizzle-orm';
import type { Executor } from '../db/database';
import { consoleSessions } from '../db/schema';
import { hashToken, newToken } from '../auth/tokens';

/** A console sign-in lasts a working day; the next morning signs in again. */
export const CONSOLE_SESSION_SECONDS = 12 * 60 * 60;

/** Starts a session and returns its token (only the hash is stored). */
export async function startConsoleSession(exec: Executor, operatorNo: string, now = new Date()): Promise<string> {
  const token = newToken('lxc_');
  const expiresAt = new Date(now.getTime() + CONSOLE_SESSION_SECONDS * 1000).toISOString();
  // Sessions past their time are dropped whenever someone signs in, so the table stays small.
  await exec.delete(consoleSessions).where(lte(consoleSessions.expiresAt, now.toISOString()));
  await exec.insert(consoleSessions).values({ tokenHash: hashToken(token), operatorNo, expiresAt });
  return token;
}

/** The 工号 a live session belongs to, or null. */
export async function sessionOperator(exec: Executor, token: string, now = new Date()): Promise<string | null> {
  const [row] = await exec
    .select({ operatorNo: consoleSessions.operatorNo })
    .from(consoleSessions)
    .where(and(eq(consoleSessions.tokenHash, hashToken(token)), gt(consoleSessions.expiresAt, now.toISOString())));
  return row?.operatorNo ?? null;
}

export async function endConsoleSession(exec: Executor, token: string): Promise<void> {
  await exec.delete(consoleSessions).where(eq(consoleSessions.tokenHash, hashToken(token)));
}

/** Signs an operator out of every console browser (disabled, or their password was reset). */
export async function endSessionsOf(exec: Executor, operatorNo: string): Promise<void> {
  await exec.delete(consoleSessions).where(eq(consoleSessions.operatorNo, operatorNo));
}
