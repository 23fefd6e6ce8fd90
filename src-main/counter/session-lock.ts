import { z } from 'zod';
import { ApiError } from '../../src-shared/contract/counter-api';
import type { LockStateDto } from '../../src-shared/contract/desk-api';
import type { AttemptLimiter } from '../../src-shared/auth/attempt-limiter';
import { deskText } from '../../src-shared/i18n/desk.zh-CN';
import { checkKnownOperator, knownOperatorName } from '../db/known-operators';
import { deleteMeta, readMeta, writeMeta } from '../db/meta';
import type { Replica } from '../db/open';
import { currentSession } from './session';

const t = deskText.lock;

/**
 * 锁屏 and 退出登录, kept in the replica (meta `lock`) so that a restart, a reload of the page
 * or a second window finds the counter as it was left: locked stays locked. While it is in
 * force the back end answers only the methods below; nothing about students leaves it and no
 * scan can reach a student.
 */
const storedLockSchema = z.object({ state: z.enum(['locked', 'signedOut']), at: z.string() });

/** What the lock screen and the sign-in need; everything else waits for the counter to be opened. */
export const OPEN_WHILE_LOCKED: ReadonlySet<string> = new Set([
  'session.lockState',
  'session.lock',
  'session.unlock',
  'session.signIn',
  'session.signOut',
  'sync.status',
  'setup.state',
  'desk.settings',
  'update.status',
]);

function storedLock(replica: Replica): z.infer<typeof storedLockSchema> | null {
  const text = readMeta(replica.sqlite, 'lock');
  if (text === null) return null;
  try {
    const parsed = storedLockSchema.safeParse(JSON.parse(text));
    // A damaged record locks rather than opens: the password (or a sign-in) sorts it out.
    return parsed.success ? parsed.data : { state: 'locked', at: '' };
  } catch {
    return { state: 'locked', at: '' };
  }
}

export function lockState(replica: Replica): LockStateDto {
  const lock = storedLock(replica);
  const { operator } = currentSession(replica);
  if (!lock) return { state: 'open', operator };
  return { state: lock.state, operator: lock.state === 'locked' ? operator : null };
}

/** Refuses a method while the counter is locked or signed out. */
export function requireOpen(replica: Replica, method: string): void {
  if (OPEN_WHILE_LOCKED.has(method)) return;
  if (storedLock(replica) !== null) throw new ApiError('refused', t.locked);
}

/** Only an operator whose password this counter can check may lock it: otherwise nobody could open it again but by 换人. */
function requirePasswordRecord(replica: Replica): void {
  const { operator } = currentSession(replica);
  if (knownOperatorName(replica.sqlite)(operator.id) === undefined) throw new ApiError('refused', t.noRecord(operator.name, operator.id));
}

export function lockCounter(replica: Replica, now: Date): LockStateDto {
  const lock = storedLock(replica);
  // Signed out is further than locked: locking again must not bring the last operator's unlock back.
  if (lock?.state !== 'signedOut') {
    requirePasswordRecord(replica);
    writeMeta(replica.sqlite, 'lock', JSON.stringify({ state: 'locked', at: now.toISOString() }));
  }
  return lockState(replica);
}

export function signOut(replica: Replica, now: Date): LockStateDto {
  writeMeta(replica.sqlite, 'lock', JSON.stringify({ state: 'signedOut', at: now.toISOString() }));
  return lockState(replica);
}

/** A sign-in (换人登录, or the next operator after 退出登录) opens the counter under the new session. */
export function clearLock(replica: Replica): void {
  deleteMeta(replica.sqlite, 'lock');
}

/**
 * The locked session's own operator, with the password checked against this counter's record of
 * their last sign-in (the offline check 换人登录 uses), under the same limit on wrong tries.
 */
export async function unlockCounter(replica: Replica, password: string, attempts: AttemptLimiter): Promise<LockStateDto> {
  const lock = storedLock(replica);
  if (!lock) return lockState(replica);
  if (lock.state === 'signedOut') throw new ApiError('refused', t.signedOutUseSignIn);
  const { operator } = currentSession(replica);
  const wait = attempts.retryAfter(operator.id);
  if (wait > 0) throw new ApiError('refused', t.tooMany(Math.ceil(wait / 60_000)));
  const check = await checkKnownOperator(replica.sqlite, operator.id, password);
  if (!check.ok) {
    if (check.reason === 'unknown') throw new ApiError('refused', t.noRecord(operator.name, operator.id));
    attempts.record(operator.id);
    throw new ApiError('unauthorized', t.wrongPassword);
  }
  attempts.reset(operator.id);
  // Someone may have signed in, or out, while the password was being checked.
  if (storedLock(replica)?.state === 'locked' && currentSession(replica).operator.id === operator.id) clearLock(replica);
  return lockState(replica);
}
