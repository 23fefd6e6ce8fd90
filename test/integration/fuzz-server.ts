import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { registerDeviceResponseSchema } from '../../src-shared/contract/sync';
import { RESCUE_FORMAT } from '../../src-shared/contract/rescue';
import { createApiKey } from '../../src-server/admin/devices';
import { devices } from '../../src-server/db/schema';
import { addOperator } from '../../src-server/admin/operators';
import { setConsoleRole } from '../../src-server/console-auth/accounts';
import { consoleRoutes, type ConsoleMethod } from '../../src-shared/contract/console-api';
import { studentRoutes, type StudentMethod } from '../../src-shared/contract/student-api';
import { rosterRow, rosterWorkbookBytes } from '../../src-server/testing/roster-workbook';
import { PUSH_BODY_LIMIT } from '../../src-server/http/sync-routes';
import { INTEGRATION_BODY_LIMIT } from '../../src-server/http/integration-routes';
import { idCardFor, PASSWORD, registrationCode, seedSmallWorld } from '../../src-server/testing/fixtures';
import { startTestServer, type TestServer } from '../../src-server/testing/test-server';
import type { Backend } from '../../src-server/testing/throwaway-database';
import { bodyCases, errorMessage, ODD_QUERIES, runFuzz, sendRaw, type BodyCase, type FuzzCase, type Tally } from './fuzz-cases';

/**
 * Issue 21, the figure: every route of the server, fed the table of hostile inputs, answers no
 * 5xx; every refusal carries a Chinese message; a refused request writes nothing. One test file
 * per engine (fuzz-server-*.test.ts) keeps each file's run short.
 */

const BODY_LIMIT = 2 * 1024 * 1024;
const OP_ID = '__OP_ID__';
const OP_ID_2 = '__OP_ID_2__';
/** Stands for the device's next deviceSeq in a case's raw body. */
const NEXT_SEQ = 987654321;

export function fuzzServerRoutes(backend: Backend): void {
  describe(`fuzzing every server route on ${backend}`, () => {
    let server: TestServer;
    let batchId: string;
    let token: string;
    let deviceId: string;
    let apiKey: string;
    const tallies = new Map<string, Tally>();

    beforeAll(async () => {
      server = await startTestServer(backend, { loginLimits: { freePerAddress: 1e6, freePerOperatorAtAddress: 1e6, freePerOperator: 1e6 } });
      ({ batchId } = await seedSmallWorld(server.database.db, server.batches));
      const body = JSON.stringify({ operatorNo: 'T-DORM', password: PASSWORD, name: '模糊测试柜台', batchId, registrationCode: await registrationCode(server.database.db) });
      const res = await sendRaw(server.url, { name: 'setup', method: 'POST', path: '/api/devices', c: { name: 'setup', body, contentType: 'application/json' } });
      ({ token, deviceId } = registerDeviceResponseSchema.parse(JSON.parse(res.body)));
      apiKey = await createApiKey(server.database.db, 'fuzz-lib', '图书馆系统', batchId, ['return-books']);
      await addOperator(server.database.db, 'A-FUZZ', '模糊测试管理员', PASSWORD);
      await setConsoleRole(server.database.db, 'A-FUZZ', 'admin');
    });
    afterAll(async () => {
      console.log(`fuzz, server on ${backend}:`);
      console.table(Object.fromEntries(tallies));
      await server?.close();
    });

    /** Row counts of every table and the global seq: equal before and after a refused request. */
    async function fingerprint(): Promise<string> {
      const tables = ['batches', 'students', 'step_states', 'waivers', 'ops', 'conflicts', 'operators', 'grants', 'devices', 'device_operators', 'api_keys', 'console_roles', 'console_log', 'roster_changes'];
      const result = await server.database.db.execute(
        sql.raw(`select ${tables.map((t) => `(select count(*) from ${t}) as ${t}`).join(', ')}, (select value from sync_seq) as seq,
          (select coalesce(sum(last_seq), 0) from devices) as device_seqs`),
      );
      return JSON.stringify((result as unknown as { rows: unknown[] }).rows[0]);
    }

    async function fuzz(route: string, cases: FuzzCase[], prepare?: (c: BodyCase) => Promise<BodyCase>) {
      const { tally, problems } = await runFuzz({
        baseUrl: server.url,
        cases,
        prepare,
        fingerprint,
        refusal: (answer) => (answer.status < 400 ? null : { message: errorMessage(answer.body).message, internal: answer.status >= 500 }),
      });
      tallies.set(route, tally);
      expect(problems).toEqual([]);
      expect(tally['5xx or internal']).toBe(0);
    }

    const auth = () => ({ authorization: `Bearer ${token}` });

    async function nextSeq(): Promise<number> {
      const [row] = await server.database.db.select({ lastSeq: devices.lastSeq }).from(devices).where(eq(devices.id, deviceId));
      return row!.lastSeq + 1;
    }

    /** Fresh opId and the device's next seq in place of the placeholders, so valid cases are new ops. */
    async function freshOp(c: BodyCase): Promise<BodyCase> {
      if (c.body === undefined) return c;
      const seq = await nextSeq();
      return { ...c, body: c.body.replaceAll(OP_ID, uuidv7()).replaceAll(String(NEXT_SEQ), String(seq)) };
    }

    const post = (path: string, base: Record<string, unknown>, headers: () => Record<string, string>, limit = BODY_LIMIT) =>
      bodyCases(base, limit).map((c) => ({ name: c.name, method: 'POST', path, c, headers: headers() }));

    it('POST /api/login', async () => {
      await fuzz('POST /api/login', post('/api/login', { operatorNo: 'T-DORM', password: PASSWORD }, () => ({})));
    });

    it('POST /api/devices', async () => {
      const code = await registrationCode(server.database.db);
      await fuzz('POST /api/devices', post('/api/devices', { operatorNo: 'T-STU', password: PASSWORD, name: '柜台', batchId, registrationCode: code }, () => ({})));
    });

    /** A valid op of the registered device, with the placeholders freshOp fills in. */
    const baseOp = (kind: string, studentNo: string, note: string) => ({
      opId: OP_ID,
      deviceId,
      deviceSeq: NEXT_SEQ,
      operatorId: 'T-DORM',
      kind,
      studentNo,
      stepId: 'dorm-clearance',
      args: { note },
      base: { version: 0 },
      clientTime: '2027-06-20T09:00:00+08:00',
    });

    it('POST /api/server-move', async () => {
      await fuzz('POST /api/server-move', post('/api/server-move', { operatorNo: 'A-FUZZ', password: PASSWORD, serverUrl: 'https://lixiao.example.edu.cn' }, auth));
    });

    // Two halves: a push is the slowest request, and no test may take long.
    it.each(['field', 'body'] as const)('POST /api/sync/push, %s cases', async (kind) => {
      // Not a session of this device: the op is stored as rejected, and each variant of it too.
      const op = { ...baseOp('reject', '2023000002', '钥匙未还'), session: 'lxs_not-a-session-of-this-device' };
      await fuzz(
        `POST /api/sync/push (${kind})`,
        post('/api/sync/push', { ops: [op] }, auth, PUSH_BODY_LIMIT).filter((k) => k.c?.kind === kind),
        freshOp,
      );
    });

    it('POST /api/sync/rescue', async () => {
      const ops = [baseOp('pass', '2023000003', '')];
      const rescue = { format: RESCUE_FORMAT, deviceId, serverUrl: null, writtenAt: '2027-06-20T09:00:00+08:00', replicaPath: 'counter.db', complete: true, ops };
      await fuzz('POST /api/sync/rescue', post('/api/sync/rescue', rescue, auth, PUSH_BODY_LIMIT), freshOp);
    });

    it('POST /api/integration/steps', async () => {
      const base = { opId: OP_ID, studentNo: '2023000003', stepId: 'return-books', status: 'rejected', note: '逾期未还', time: '2027-06-20T09:00:00+08:00' };
      const cases = [
        ...post('/api/integration/steps', base, () => ({ 'x-api-key': apiKey }), INTEGRATION_BODY_LIMIT),
        // The bulk shape: the same cases around a body of many items.
        ...post('/api/integration/steps', { items: [base, { ...base, opId: OP_ID_2, status: 'passed' }] }, () => ({ 'x-api-key': apiKey }), INTEGRATION_BODY_LIMIT).map(
          (c) => ({ ...c, name: `items: ${c.name}` }),
        ),
      ];
      for (const key of ['', 'lxk_unknown', 'x'.repeat(10_000), 'lxk_\u00ff\u00fe']) {
        cases.push({ name: `api key ${key.slice(0, 12)}`, method: 'POST', path: '/api/integration/steps', c: { name: 'key', body: JSON.stringify(base), contentType: 'application/json' }, headers: { 'x-api-key': key } });
      }
      await fuzz('POST /api/integration/steps', cases, async (c) => ({ ...c, body: c.body?.replaceAll(OP_ID, uuidv7()).replaceAll(OP_ID_2, uuidv7()) }));
    });

    it('POST /api/conflicts/:id/resolve', async () => {
      const cases = post('/api/conflicts/1/resolve', { operatorNo: 'T-DORM' }, auth);
      for (const id of ['abc', '-1', '0', '1.5', '1e400', '99999999999999999999', '%00', '%ud83d', '%ED%A0%BD', '__proto__', 'constructor', 'x'.repeat(5000)]) {
        cases.push({ name: `id ${id.slice(0, 20)}`, method: 'POST', path: `/api/conflicts/${id}/resolve`, c: { name: 'id', body: '{"operatorNo":"T-DORM"}', contentType: 'application/json' }, headers: auth() });
      }
      await fuzz('POST /api/conflicts/:id/resolve', cases);
    });

    it('GET /api/sync/pull, /api/sync/snapshot, /api/health', async () => {
      for (const path of ['/api/sync/pull', '/api/sync/snapshot', '/api/health']) {
        await fuzz(`GET ${path}`, ODD_QUERIES.map((q) => ({ name: q || '(none)', method: 'GET', path: `${path}${q}`, c: null, headers: auth() })));
      }
    });

    it('POST /console/api/<method>, every console method as a signed-in admin', async () => {
      await addOperator(server.database.db, 'F-ADMIN', '模糊测试管理员', PASSWORD);
      await setConsoleRole(server.database.db, 'F-ADMIN', 'admin');
      const signIn = await fetch(`${server.url}/console/api/session.signIn`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ operatorNo: 'F-ADMIN', password: PASSWORD }),
      });
      expect(signIn.status).toBe(200);
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
      expect(cookie).toMatch(/^lxc_session=lxc_/);
      const def = (await server.batches.get(server.database.db, batchId))!.def;
      const file = (await rosterWorkbookBytes(def, [rosterRow(def, '2023000001', '计算机学院', '计算机学院1班', 1)])).toString('base64');
      // Valid bases; session.signOut last, since its valid case ends the session the others use.
      const bases: Record<ConsoleMethod, Record<string, unknown>> = {
        'session.signIn': { operatorNo: 'F-ADMIN', password: PASSWORD },
        'session.get': {},
        'session.changePassword': { currentPassword: 'not-the-password', newPassword: 'another-pass-1' },
        'progress.batches': {},
        'progress.get': { batchId, college: '计算机学院' },
        'operators.list': { query: 'T' },
        'operators.create': { operatorNo: 'F-NEW', name: '新人', password: 'fuzz-pass-1' },
        'operators.setDisabled': { operatorNo: 'T-CERT', disabled: false },
        'operators.resetPassword': { operatorNo: 'T-CERT', password: PASSWORD },
        'operators.grant': { operatorNo: 'T-CERT', checkpointId: 'certificates', colleges: ['计算机学院'] },
        'operators.revokeGrant': { operatorNo: 'F-NEW', checkpointId: 'dorm' },
        'roster.template': { batchId },
        'roster.preview': { batchId, fileName: '花名册.xlsx', content: file },
        'roster.apply': { batchId, fileName: '花名册.xlsx', content: file, skipInvalid: false },
        'session.signOut': {},
      };
      expect(Object.keys(bases).sort()).toEqual(Object.keys(consoleRoutes).sort());
      for (const [method, base] of Object.entries(bases) as [ConsoleMethod, Record<string, unknown>][]) {
        const route = consoleRoutes[method];
        const limit = 'bodyLimit' in route ? route.bodyLimit : BODY_LIMIT;
        await fuzz(`POST /console/api/${method}`, post(`/console/api/${method}`, base, () => ({ cookie }), limit));
      }
    });

    it('POST /student/api/<method> and the student GET routes, as a signed-in student', async () => {
      const studentNo = '2023000002';
      const secret = idCardFor(2).slice(-6);
      const signIn = await fetch(`${server.url}/student/api/session.signIn`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ studentNo, secret }),
      });
      expect(signIn.status).toBe(200);
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
      expect(cookie).toMatch(/^lxs_session=lxs_/);
      // Valid bases; session.signOut last, since its valid case ends the session the others use.
      const bases: Record<StudentMethod, Record<string, unknown>> = {
        'session.signIn': { studentNo, secret },
        'session.reset': { studentNo: '2023000003', idLast6: idCardFor(3).slice(-6), newPassword: 'fuzz-pass-1' },
        'session.get': {},
        'session.setPassword': { newPassword: 'fuzz-pass-2' },
        'status.get': {},
        'session.signOut': {},
      };
      expect(Object.keys(bases).sort()).toEqual(Object.keys(studentRoutes).sort());
      for (const [method, base] of Object.entries(bases) as [StudentMethod, Record<string, unknown>][]) {
        await fuzz(`POST /student/api/${method}`, post(`/student/api/${method}`, base, () => ({ cookie })));
      }
      const cookies = ['', 'lxs_session=', 'lxs_session=lxs_forged', `lxs_session=${'x'.repeat(10_000)}`, 'lxs_session=%00'];
      await fuzz(
        'GET /student/api/events, slip.pdf',
        ['/student/api/events', '/student/api/slip.pdf', '/student/api/slip.pdf?studentNo=2023000001'].flatMap((path) =>
          cookies.map((c) => ({ name: `${path} ${c.slice(0, 24)}`, method: 'GET', path, c: null, headers: c ? { cookie: c } : ({} as Record<string, string>) })),
        ),
      );
    });

    it('GET /api/sync/events, tokens and unknown routes', async () => {
      const tokens = ['', 'Bearer', 'Bearer lxd_forged', `Bearer ${'x'.repeat(10_000)}`, 'Basic dXNlcjpwYXNz', `Bearer ${token} extra`];
      await fuzz(
        'GET /api/sync/events',
        tokens.map((t) => ({ name: `authorization ${t.slice(0, 20)}`, method: 'GET', path: '/api/sync/events', c: null, headers: t ? { authorization: t } : ({} as Record<string, string>) })),
      );
      const paths = ['/api/%00', '/api/sync/push/extra', '/api/../../etc/passwd', `/api/${'a'.repeat(5000)}`, '/api/sync/pull%ZZ', '/', '/console/api/no.such', '/console/../../etc/passwd', '/console/%2e%2e/%2e%2e/package.json', '/student/api/no.such', '/student/../../etc/passwd', '/student/%2e%2e/%2e%2e/package.json'];
      await fuzz(
        'unknown routes',
        paths.flatMap((path) => ['GET', 'POST', 'PUT', 'DELETE'].map((method) => ({ name: `${method} ${path.slice(0, 30)}`, method, path, c: null, headers: auth() }))),
      );
    });
  });
}
