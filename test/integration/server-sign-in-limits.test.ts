import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { addOperator } from '../../src-server/admin/operators';
import { clearSignInFailures, SignInLimits } from '../../src-server/auth/sign-in-limits';
import { signInFailures } from '../../src-server/db/schema';
import { buildServerApp } from '../../src-server/http/app';
import { PASSWORD } from '../../src-server/testing/fixtures';
import { BACKENDS, openThrowawayDatabase, type ThrowawayDatabase } from '../../src-server/testing/throwaway-database';

describe.each(BACKENDS)('sign-in limits stored in the database on %s', (backend) => {
  let database: ThrowawayDatabase;
  const apps: FastifyInstance[] = [];
  /** The limits' clock: moved by the test, never waited for. */
  let clock = new Date('2027-06-20T09:00:00Z');
  const now = () => clock;
  const advance = (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000));

  async function app(): Promise<FastifyInstance> {
    const built = await buildServerApp({ db: database.db, now });
    apps.push(built);
    return built;
  }

  async function login(server: FastifyInstance, operatorNo: string, password: string, from: string) {
    const res = await server.inject({ method: 'POST', url: '/api/login', remoteAddress: from, payload: { operatorNo, password } });
    return { status: res.statusCode, retryAfter: Number(res.headers['retry-after'] ?? 0), message: (res.json() as { error?: { message: string } }).error?.message ?? '' };
  }

  beforeAll(async () => {
    database = await openThrowawayDatabase(backend);
    for (const no of ['T-OWNER', 'T-GROW', 'T-PAR']) await addOperator(database.db, no, '操作员', PASSWORD);
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    await database?.close();
  });

  it('waits grow after the free failures (1 s, 2 s, 4 s …) up to the ceiling; a wait is a delay, not a lock', async () => {
    const server = await app();
    const limits = new SignInLimits(undefined, now);
    const waits: number[] = [];
    for (let i = 0; i < 14; i++) {
      expect((await login(server, 'T-GROW', `wrong-${i}`, '10.0.1.1')).status).toBe(401);
      const wait = (await limits.waitMs(database.db, 'T-GROW', '10.0.1.1')) / 1000;
      waits.push(wait);
      if (wait > 0) expect(await login(server, 'T-GROW', PASSWORD, '10.0.1.1')).toEqual({ status: 429, retryAfter: wait, message: `密码错误次数较多，请在 ${wait} 秒后再试` });
      advance(wait);
    }
    // Three free failures at one address, then doubling up to 15 minutes.
    expect(waits).toEqual([0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]);
    expect((await login(server, 'T-GROW', PASSWORD, '10.0.1.1')).status).toBe(200);
  });

  it('no targeted lockout: wrong passwords for a colleague’s 工号 at one counter slow that counter, the owner elsewhere waits at most 30 s', async () => {
    const server = await app();
    const limits = new SignInLimits(undefined, now);
    for (let i = 0; i < 15; i++) {
      expect((await login(server, 'T-OWNER', `guess-${i}`, '10.0.2.66')).status).toBe(401);
      advance((await limits.waitMs(database.db, 'T-OWNER', '10.0.2.66')) / 1000);
    }
    // Right after the fifteenth guess: the guessing counter waits 15 minutes, the owner's counter at most 30 s.
    clock = new Date(clock.getTime() - 900_000);
    expect(await login(server, 'T-OWNER', 'one-more', '10.0.2.66')).toMatchObject({ status: 429, retryAfter: 900 });
    const owner = await login(server, 'T-OWNER', PASSWORD, '10.0.2.7');
    expect(owner).toMatchObject({ status: 429 });
    expect(owner.retryAfter).toBeLessThanOrEqual(30);
    advance(owner.retryAfter);
    expect((await login(server, 'T-OWNER', PASSWORD, '10.0.2.7')).status).toBe(200);
    // The owner's success does not free the guessing counter's address.
    expect((await login(server, 'T-OWNER', PASSWORD, '10.0.2.66')).status).toBe(429);
  });

  it('kept in the database: another server process (or a restart) sees the same wait; parallel failures all count; the admin clears it', async () => {
    const first = await app();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => login(first, 'T-PAR', `parallel-${i}`, '10.0.3.3')));
    expect(results.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401]);
    const rows = await database.db.select().from(signInFailures);
    expect(rows.find((r) => r.key === 'operator-at:T-PAR@10.0.3.3')?.failures).toBe(6);
    const second = await app();
    expect(await login(second, 'T-PAR', PASSWORD, '10.0.3.3')).toMatchObject({ status: 429 });
    expect(await clearSignInFailures(database.db, 'T-PAR')).toBe(2);
    expect(await login(second, 'T-PAR', PASSWORD, '10.0.3.3')).toMatchObject({ status: 200 });
    // Failures older than an hour start over.
    const limits = new SignInLimits(undefined, now);
    for (let i = 0; i < 4; i++) await limits.failed(database.db, 'T-PAR', '10.0.3.4');
    expect(await limits.waitMs(database.db, 'T-PAR', '10.0.3.4')).toBe(1000);
    advance(2 * 3600);
    await limits.failed(database.db, 'T-PAR', '10.0.3.4');
    expect(await limits.waitMs(database.db, 'T-PAR', '10.0.3.4')).toBe(0);
  });
});
