import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_API_PREFIX } from '../../src-shared/contract/console-api';
import { buildServerApp } from '../../src-server/http/app';
import { CONSOLE_ACCOUNTS, seedConsoleWorld } from '../../src-server/testing/console-fixtures';
import { PASSWORD, registrationCode } from '../../src-server/testing/fixtures';
import { openThrowawayDatabase, type ThrowawayDatabase } from '../../src-server/testing/throwaway-database';
import { BatchCache } from '../../src-server/sync/batch-cache';
import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';

/**
 * The server's log (as `npm run server` writes it) and its stored records, after sign-ins,
 * wrong passwords, a counter's registration and token, and console password changes: no
 * password, token or session cookie appears in either.
 */

const WRONG = 'wrong-secret-Pw-481';
const NEW_OPERATOR = 'new-secret-Pw-592';
const RESET = 'reset-secret-Pw-603';

describe('no password or token in the server log or its records', () => {
  let database: ThrowawayDatabase;
  let app: FastifyInstance;
  let log = '';
  const secrets: string[] = [PASSWORD, WRONG, NEW_OPERATOR, RESET];

  beforeAll(async () => {
    database = await openThrowawayDatabase('pglite');
    await seedConsoleWorld(database.db, new BatchCache(), 4);
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log += chunk.toString();
        done();
      },
    });
    app = await buildServerApp({ db: database.db, logger: true, logStream: stream });
  });

  afterAll(async () => {
    await app.close();
    await database.close();
  });

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url, payload: payload as object, headers });

  it('sign-ins, a wrong password, a registration, a token in use and console password changes leave no secret behind', async () => {
    expect((await post('/api/login', { operatorNo: 'T-DORM', password: PASSWORD })).statusCode).toBe(200);
    expect((await post('/api/login', { operatorNo: 'T-DORM', password: WRONG })).statusCode).toBe(401);
    const batchId = ((await database.db.execute(sql`select id from batches limit 1`)) as unknown as { rows: { id: string }[] }).rows[0]!.id;
    const code = await registrationCode(database.db);
    secrets.push(code);
    const registered = await post('/api/devices', { operatorNo: 'T-DORM', password: PASSWORD, name: '柜台1', batchId, registrationCode: code });
    expect(registered.statusCode).toBe(201);
    const token = (registered.json() as { token: string }).token;
    secrets.push(token);
    expect((await app.inject({ method: 'GET', url: '/api/sync/pull?cursor=0&limit=10', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);

    const signIn = await post(`${CONSOLE_API_PREFIX}session.signIn`, { operatorNo: CONSOLE_ACCOUNTS.admin, password: PASSWORD });
    expect(signIn.statusCode).toBe(200);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    secrets.push(cookie.split('=')[1]!);
    const created = await post(`${CONSOLE_API_PREFIX}operators.create`, { operatorNo: 'T-NEW', name: '新老师', password: NEW_OPERATOR }, { cookie });
    expect(created.statusCode).toBe(200);
    expect((await post(`${CONSOLE_API_PREFIX}operators.resetPassword`, { operatorNo: 'T-NEW', password: RESET }, { cookie })).statusCode).toBe(200);
    expect((await post(`${CONSOLE_API_PREFIX}session.signIn`, { operatorNo: 'T-NEW', password: WRONG })).statusCode).toBe(401);

    // The log was written: requests and their answers are there, credentials are not.
    expect(log).toContain('/api/devices');
    expect(log).toContain('operators.resetPassword');
    for (const secret of secrets) expect(log).not.toContain(secret);

    const stored = (await database.db.execute(sql`select string_agg(row_to_json(t)::text, ' ') as text from console_log t`)) as unknown as { rows: { text: string }[] };
    expect(stored.rows[0]!.text).toContain('T-NEW');
    for (const secret of secrets) expect(stored.rows[0]!.text).not.toContain(secret);
  });

  it('a handler that logs a request body or a token field gets them hidden', () => {
    app.log.info({ body: { operatorNo: 'T-DORM', password: WRONG }, token: 'probe-token-714', newPassword: NEW_OPERATOR }, 'probe');
    const line = log.split('\n').find((l) => l.includes('"probe"'))!;
    expect(JSON.parse(line)).toMatchObject({ body: { operatorNo: 'T-DORM', password: '[已隐去]' }, token: '[已隐去]', newPassword: '[已隐去]' });
  });
});
