import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** OWASP's scrypt figure: N=2^17, r=8, p=1 (128 MiB and about a second per check on a 2-core machine; docs/security.md). */
export const PRODUCTION_LOG2_N = 17;
/**
 * Test runs only (vitest.config.ts, the e2e demo): a lower N keeps hundreds of sign-ins fast.
 * Never below the old 2^14, so no setting makes hashes weaker than before; the production
 * figure keeps its own tests (test/integration/password-upgrade.test.ts).
 */
export const COST_ENV = 'LIXIAO_SCRYPT_LOG2N';
const LOWEST_LOG2_N = 14;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

/** The N new hashes get: 2^17 unless a test run lowered it. Read each time, so a test can restore the production figure. */
export function scryptN(): number {
  const raw = process.env[COST_ENV];
  if (raw === undefined || raw === '') return 2 ** PRODUCTION_LOG2_N;
  const log2 = Number(raw);
  if (!Number.isInteger(log2) || log2 < LOWEST_LOG2_N || log2 > PRODUCTION_LOG2_N) {
    throw new Error(`${COST_ENV}=${raw}: must be an integer from ${LOWEST_LOG2_N} to ${PRODUCTION_LOG2_N}`);
  }
  return 2 ** log2;
}

/** scrypt needs 128·N·r bytes; Node refuses anything over maxmem (32 MiB by default). Twice that, for the small extras. */
function maxmemFor(n: number, r: number): number {
  return 2 * 128 * n * r;
}

function derive(password: string, salt: Buffer, opts: Required<Pick<ScryptOptions, 'N' | 'r' | 'p'>>): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { ...opts, maxmem: maxmemFor(opts.N, opts.r) }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** "scrypt$N$r$p$salt$hash" (base64): the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const N = scryptN();
  const key = await derive(password, salt, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Parameters no stored hash may ask for: a damaged or hostile record must not make a check take minutes or gigabytes. */
const HIGHEST_N = 2 ** 20;

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (!(params.N > 1 && params.N <= HIGHEST_N && params.r >= 1 && params.r <= 16 && params.p >= 1 && params.p <= 4)) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), params);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash made with a lower cost than new ones get: replace it at the next successful sign-in. */
export function needsRehash(stored: string): boolean {
  const [scheme, n, r] = stored.split('$');
  return scheme !== 'scrypt' || Number(n) < scryptN() || Number(r) < R;
}

/** Spends the same time as a real check, so a wrong 工号 cannot be told from a wrong password. */
const dummies = new Map<number, Promise<string>>();
export async function verifyNobody(password: string): Promise<false> {
  const N = scryptN();
  if (!dummies.has(N)) dummies.set(N, hashPassword('unused-dummy-password'));
  await verifyPassword(password, await dummies.get(N)!);
  return false;
}
