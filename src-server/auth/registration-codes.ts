import { randomInt } from 'node:crypto';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../db/database';
import { registrationCodes } from '../db/schema';
import { hashToken } from './tokens';

/** Easy to read out and type: no 0/O, 1/I/L. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const LENGTH = 12;
export const DEFAULT_CODE_HOURS = 24;
/** A code is for installing counters in the days ahead, not a standing credential. */
export const MAX_CODE_HOURS = 24 * 14;

/** What the operator typed, as the code was issued: upper case, without spaces and dashes. */
export function normaliseCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '');
}

/**
 * A one-time code that lets one counter register (58 random bits, e.g. "K7MP-9QXD-R4TW"); shown
 * once, only its hash is kept. An operator's password alone no longer registers a counter.
 */
export async function issueRegistrationCode(exec: Executor, hours = DEFAULT_CODE_HOURS, now = new Date()): Promise<{ code: string; expiresAt: string }> {
  const raw = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  const code = raw.match(/.{4}/g)!.join('-');
  const expiresAt = new Date(now.getTime() + hours * 3_600_000).toISOString();
  await exec.insert(registrationCodes).values({ codeHash: hashToken(normaliseCode(code)), expiresAt });
  return { code, expiresAt };
}

/** Uses the code up for this device; false when it is unknown, used or expired (nothing changes then). */
export async function useRegistrationCode(exec: Executor, typed: string, deviceId: string): Promise<boolean> {
  const used = await exec
    .update(registrationCodes)
    .set({ usedAt: sql`now()`, deviceId })
    .where(and(eq(registrationCodes.codeHash, hashToken(normaliseCode(typed))), isNull(registrationCodes.usedAt), gt(registrationCodes.expiresAt, sql`now()`)))
    .returning({ codeHash: registrationCodes.codeHash });
  return used.length > 0;
}
