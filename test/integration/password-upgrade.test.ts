import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { checkKnownOperator, rememberOperator } from '../../src-main/db/known-operators';
import { SyncHttp } from '../../src-main/sync/server-http';
import { addOperator, grantCheckpoint } from '../../src-server/admin/operators';
import { COST_ENV, hashPassword, PRODUCTION_LOG2_N, scryptN, verifyPassword } from '../../src-server/auth/passwords';
import { operators } from '../../src-server/db/schema';
import { PASSWORD } from '../../src-server/testing/fixtures';
import { BACKENDS } from '../../src-server/testing/throwaway-database';
import { SyncWorld } from './sync-world';

/**
 * The production scrypt cost (N=2^17), which the rest of the suite lowers to 2^14 for speed
 * (vitest.config.ts): this file restores it. Hashes of the old cost are upgraded at the next
 * successful sign-in, on the server and in the counter's cache of offline sign-in.
 */

const testCost = process.env[COST_ENV];

/** Runs with the cost of before this release, 2^14, then back to production. */
async function atOldCost<T>(work: () => Promise<T>): Promise<T> {
  process.env[COST_ENV] = '14';
  try {
    return await work();
  } finally {
    delete process.env[COST_ENV];
  }
}

const header = (hash: string) => hash.split('$').slice(0, 4).join('$');

beforeAll(() => {
  delete process.env[COST_ENV];
});
afterAll(() => {
  if (testCost !== undefined) process.env[COST_ENV] = testCost;
});

it('production hashes are scrypt N=2^17, r=8, p=1, and verify', async () => {
  expect(scryptN()).toBe(2 ** 17);
  expect(PRODUCTION_LOG2_N).toBe(17);
  const hash = await hashPassword(PASSWORD);
  expect(header(hash)).toBe('scrypt$131072$8$1');
  expect(await verifyPassword(PASSWORD, hash)).toBe(true);
  expect(await verifyPassword('not-the-password', hash)).toBe(false);
});

it('refuses a cost setting below the old figure or above production', () => {
  for (const bad of ['12', '18', 'x']) {
    process.env[COST_ENV] = bad;
    try {
      expect(() => scryptN()).toThrow(`${COST_ENV}=${bad}`);
    } finally {
      delete process.env[COST_ENV];
    }
  }
});

describe.each(BACKENDS)('old scrypt hashes upgraded at sign-in on %s', (backend) => {
  const world = new SyncWorld(backend);
  const db = () => world.server.database.db;
  const stored = async (no: string) => (await db().select().from(operators).where(eq(operators.operatorNo, no)))[0]!;

  beforeAll(() =>
    atOldCost(async () => {
      await world.start();
      await addOperator(db(), 'T-OLD', '旧密码老师', PASSWORD);
      await grantCheckpoint(db(), 'T-OLD', 'dorm', []);
    }),
  );
  afterAll(() => world.stop());

  it('on the server: the first sign-in rewrites the hash at 2^17 and keeps the password version', async () => {
    const before = await stored('T-OLD');
    expect(header(before.passwordHash)).toBe('scrypt$16384$8$1');
    const api = new SyncHttp(world.relay.url);
    await expect(api.login({ operatorNo: 'T-OLD', password: 'wrong-password' })).rejects.toThrow('工号或密码错误');
    expect((await stored('T-OLD')).passwordHash).toBe(before.passwordHash);

    const answer = await api.login({ operatorNo: 'T-OLD', password: PASSWORD });
    expect(answer.operator.id).toBe('T-OLD');
    const after = await stored('T-OLD');
    expect(header(after.passwordHash)).toBe('scrypt$131072$8$1');
    expect(after.passwordVersion).toBe(before.passwordVersion);
    expect(answer.passwordVersion).toBe(before.passwordVersion);
    // The new hash is the one checked from now on.
    expect((await api.login({ operatorNo: 'T-OLD', password: PASSWORD })).operator.id).toBe('T-OLD');
    expect((await stored('T-OLD')).passwordHash).toBe(after.passwordHash);
  });

  it("in the counter's cache: an old record is upgraded at the next offline check, and still follows the server", async () => {
    const counter = await world.counter('T-OLD');
    const { sqlite } = counter.replica;
    const record = () => (JSON.parse(sqlite.prepare("select value from meta where key = 'knownOperators'").pluck().get() as string) as Record<string, { passwordHash: string; passwordVersion: number }>)['T-OLD']!;
    expect(header(record().passwordHash)).toBe('scrypt$131072$8$1');

    // What a counter of the previous release recorded.
    const oldHash = await atOldCost(() => hashPassword(PASSWORD));
    rememberOperator(sqlite, { operator: { id: 'T-OLD', name: '旧密码老师' }, grants: [{ checkpointId: 'dorm', colleges: 'all' }] }, { passwordHash: oldHash, passwordVersion: record().passwordVersion }, new Date().toISOString());
    expect(await checkKnownOperator(sqlite, 'T-OLD', 'wrong-password')).toEqual({ ok: false, reason: 'wrong_password' });
    expect(record().passwordHash).toBe(oldHash);
    expect((await checkKnownOperator(sqlite, 'T-OLD', PASSWORD)).ok).toBe(true);
    expect(header(record().passwordHash)).toBe('scrypt$131072$8$1');
    expect((await checkKnownOperator(sqlite, 'T-OLD', PASSWORD)).ok).toBe(true);

    // A rehash is not a new password: the next sync keeps the record.
    await counter.client.sync();
    expect(header(record().passwordHash)).toBe('scrypt$131072$8$1');
  });
});
