import { inArray, like, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/database';
import { signInFailures } from '../db/schema';

/**
 * How wrong sign-ins slow the next attempt. Nothing locks: after the free failures each further
 * one doubles the wait, up to a ceiling. The wait for a 工号 counts separately for each address,
 * so someone at another counter typing wrong passwords for a colleague's 工号 slows only
 * themselves; across all addresses a 工号's wait stays short (it slows guessing spread over many
 * counters without shutting the owner out). Failures older than `forgetAfterMinutes` start over.
 */
export interface SignInLimitRules {
  /** Wrong sign-ins from one address, any 工号, before it waits. */
  freePerAddress: number;
  /** Wrong sign-ins for one 工号 from one address before that pair waits. */
  freePerOperatorAtAddress: number;
  /** Wrong sign-ins for one 工号 from anywhere before every attempt at it waits. */
  freePerOperator: number;
  /** Ceiling of the per-address and per-工号-and-address waits. */
  maxWaitSeconds: number;
  /** Ceiling of the wait every address shares for a 工号: short, so its owner is never shut out. */
  maxOperatorWaitSeconds: number;
  forgetAfterMinutes: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimitRules = {
  freePerAddress: 20,
  freePerOperatorAtAddress: 3,
  freePerOperator: 10,
  maxWaitSeconds: 15 * 60,
  maxOperatorWaitSeconds: 30,
  forgetAfterMinutes: 60,
};

/** One count of wrong sign-ins and the wait it imposes. */
export interface LimitKey {
  key: string;
  free: number;
  maxWaitSeconds: number;
  /** At this many failures the wait jumps to `lockSeconds` (a lock that ends by itself). */
  lock?: { after: number; seconds: number };
  /** An address's count survives a right sign-in, so guessing many accounts from it stays slow. */
  keepOnSuccess?: true;
}

/** The counts one attempt by `subject` (a 工号, or a 学号 on the student page) from `address` touches. */
export type LimitKeys = (subject: string, address: string) => LimitKey[];

function operatorKeys(rules: SignInLimitRules, operatorNo: string, address: string): LimitKey[] {
  return [
    { key: `address:${address}`, free: rules.freePerAddress, maxWaitSeconds: rules.maxWaitSeconds, keepOnSuccess: true },
    { key: `operator-at:${operatorNo}@${address}`, free: rules.freePerOperatorAtAddress, maxWaitSeconds: rules.maxWaitSeconds },
    { key: `operator:${operatorNo}`, free: rules.freePerOperator, maxWaitSeconds: rules.maxOperatorWaitSeconds },
  ];
}

/** Stored in the database, so limits hold across restarts and across server processes sharing it. */
export class SignInLimits {
  private readonly keysOf: LimitKeys;
  private readonly forgetAfterMinutes: number;

  constructor(
    rules: SignInLimitRules = DEFAULT_SIGN_IN_LIMITS,
    private readonly now: () => Date = () => new Date(),
    keys?: LimitKeys,
  ) {
    this.keysOf = keys ?? ((operatorNo, address) => operatorKeys(rules, operatorNo, address));
    this.forgetAfterMinutes = rules.forgetAfterMinutes;
  }

  /** Milliseconds this attempt must still wait; 0 when it may go ahead. */
  async waitMs(exec: Executor, operatorNo: string, address: string): Promise<number> {
    const keys = this.keysOf(operatorNo, address).map((k) => k.key);
    const rows = await exec.select().from(signInFailures).where(inArray(signInFailures.key, keys));
    const now = this.now().getTime();
    return Math.max(0, ...rows.map((r) => r.waitUntil.getTime() - now));
  }

  /** One more wrong sign-in; each key's wait grows in the same statement that counts it, so parallel attempts all count. */
  async failed(exec: Executor, operatorNo: string, address: string): Promise<void> {
    const now = this.now();
    const forgetBefore = new Date(now.getTime() - this.forgetAfterMinutes * 60_000);
    for (const k of this.keysOf(operatorNo, address)) {
      const failures = sql`(case when ${signInFailures.lastFailureAt} < ${forgetBefore.toISOString()} then 1 else ${signInFailures.failures} + 1 end)`;
      const growing = (count: ReturnType<typeof sql>) =>
        sql`least(${k.maxWaitSeconds}::float8, case when ${count} > ${k.free}::int then power(2::float8, ${count} - ${k.free}::int - 1) else 0 end)`;
      const seconds = (count: ReturnType<typeof sql>) =>
        k.lock ? sql`(case when ${count} >= ${k.lock.after}::int then ${k.lock.seconds}::float8 else ${growing(count)} end)` : growing(count);
      const waitFor = (count: ReturnType<typeof sql>) => sql`${now.toISOString()}::timestamptz + make_interval(secs => ${seconds(count)})`;
      await exec
        .insert(signInFailures)
        .values({ key: k.key, failures: 1, lastFailureAt: now, waitUntil: sql`${waitFor(sql`1`)}` })
        .onConflictDoUpdate({
          target: signInFailures.key,
          set: { failures, lastFailureAt: now, waitUntil: waitFor(failures) },
        });
    }
  }

  /** A right password: this 工号 starts over (its address keeps its count, so guessing many 工号 stays slow). */
  async succeeded(exec: Executor, operatorNo: string, address: string): Promise<void> {
    const own = this.keysOf(operatorNo, address).filter((k) => !k.keepOnSuccess);
    await exec.delete(signInFailures).where(inArray(signInFailures.key, own.map((k) => k.key)));
  }
}

/** The admin's unlock: every wait on this 工号, from every address; the number of rows cleared. */
export async function clearSignInFailures(exec: Executor, operatorNo: string): Promise<number> {
  const cleared = await exec
    .delete(signInFailures)
    .where(or(inArray(signInFailures.key, [`operator:${operatorNo}`]), like(signInFailures.key, `operator-at:${operatorNo.replace(/[\\%_]/g, '\\$&')}@%`)))
    .returning({ key: signInFailures.key });
  return cleared.length;
}
