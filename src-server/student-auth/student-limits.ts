import { DEFAULT_SIGN_IN_LIMITS, SignInLimits, type LimitKeys } from '../auth/sign-in-limits';

/** How long a 学号 stays locked after too many wrong sign-ins, from anywhere. */
export const STUDENT_LOCK_SECONDS = 30 * 60;
export const STUDENT_LOCK_AFTER = 10;

/**
 * Wrong sign-ins on the student page, counted per 学号 whether or not it exists (so the waits
 * tell nothing): per 学号 at one address three are free, then 1 s, 2 s, 4 s …; per 学号 from
 * anywhere five are free, then the waits grow and the tenth locks it for half an hour. An
 * address (a dorm's shared campus NAT) gets a hundred before it waits, and at most a minute,
 * so one guesser does not shut a whole building out.
 */
export const studentLimitKeys: LimitKeys = (studentNo, address) => [
  { key: `student-address:${address}`, free: 100, maxWaitSeconds: 60, keepOnSuccess: true },
  { key: `student-at:${studentNo}@${address}`, free: 3, maxWaitSeconds: 15 * 60 },
  { key: `student:${studentNo}`, free: 5, maxWaitSeconds: STUDENT_LOCK_SECONDS, lock: { after: STUDENT_LOCK_AFTER, seconds: STUDENT_LOCK_SECONDS } },
];

export function studentSignInLimits(now?: () => Date): SignInLimits {
  return new SignInLimits(DEFAULT_SIGN_IN_LIMITS, now, studentLimitKeys);
}
