import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { Op, OpKind } from '../../src-shared/contract/ops';
import {
  errorResponseSchema,
  pullResponseSchema,
  pushResponseSchema,
  registerDeviceResponseSchema,
  snapshotLineSchema,
  type SnapshotLine,
  type SyncRow,
} from '../../src-shared/contract/sync';
import { createApiKey, revokeDevice } from '../../src-server/admin/devices';
import { addOperator } from '../../src-server/admin/operators';
import { devices, ops, stepStates } from '../../src-server/db/schema';
import { issueRegistrationCode } from '../../src-server/auth/registration-codes';
import { PASSWORD, registrationCode, seedSmallWorld } from '../../src-server/testing/fixtures';
import { startTestServer, type TestServer } from '../../src-server/testing/test-server';
import { PUSH_BODY_LIMIT } from '../../src-server/http/sync-routes';
import { BACKENDS } from '../../src-server/testing/throwaway-database';

const CS1 = '2023000001';
const CS2 = '2023000002';
const ME3 = '2023000003';
const ME4 = '2023000004';

describe.each(BACKENDS)('server over HTTP on %s', (backend) => {
  let server: TestServer;
  let batchId: string;

  beforeAll(async () => {
    // The limits' clock stands still: a wait never runs out while the test looks at it.
    server = await startTestServer(backend, { loginLimits: { freePerOperatorAtAddress: 2 }, now: () => new Date('2027-06-20T09:00:00Z') });
    ({ batchId } = await seedSmallWorld(server.database.db, server.batches));
  });
  afterAll(async () => {
    await server?.close();
  });

  async function call(method: string, path: string, init: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined = init.raw;
    if (init.body !== undefined) body = JSON.stringify(init.body);
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await fetch(`${server.url}${path}`, { method, headers, body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: text.startsWith('{') ? (JSON.parse(text) as unknown) : null };
  }

  function errorOf(response: { json: unknown }) {
    return errorResponseSchema.parse(response.json).error;
  }

  async function register(operatorNo: string, name = `柜台-${operatorNo}`) {
    const res = await call('POST', '/api/devices', { body: { operatorNo, password: PASSWORD, name, batchId, registrationCode: await registrationCode(server.database.db) } });
    expect(res.status).toBe(201);
    const device = registerDeviceResponseSchema.parse(res.json);
    let next = 1;
    return {
      ...device,
      op(kind: OpKind, studentNo: string, stepId: string, base = 0, note = ''): Op {
        return {
          opId: uuidv7(),
          deviceId: device.deviceId,
          deviceSeq: next++,
          operatorId: operatorNo,
          kind,
          studentNo,
          stepId,
          args: { note },
          base: { version: base },
          clientTime: new Date().toISOString(),
        };
      },
      push: (list: Op[]) => call('POST', '/api/sync/push', { body: { ops: list }, token: device.token }),
    };
  }

  async function storedOps() {
    const [row] = await server.database.db.select({ n: count() }).from(ops);
    return row?.n ?? 0;
  }

  describe('login and devices', () => {
    it('logs an operator in with 工号 and password and lists grants and batches', async () => {
      const res = await call('POST', '/api/login', { body: { operatorNo: 'T-CS', password: PASSWORD } });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        operator: { id: 'T-CS', name: '计算机学院老师' },
        grants: expect.arrayContaining([{ checkpointId: 'college', colleges: ['计算机学院'] }]),
        batches: [{ id: batchId, name: '2027届本科毕业生离校' }],
        resnapshot: false,
      });
    });

    it('refuses a wrong password or unknown 工号 with the same message, then makes the 工号 wait at that address', async () => {
      await addOperator(server.database.db, 'T-LOCK', '锁定测试', PASSWORD);
      const wrong = await call('POST', '/api/login', { body: { operatorNo: 'T-LOCK', password: 'not-the-password' } });
      const unknown = await call('POST', '/api/login', { body: { operatorNo: 'NOBODY', password: 'whatever-1' } });
      expect([wrong.status, unknown.status]).toEqual([401, 401]);
      expect(errorOf(wrong).message).toBe('工号或密码错误');
      expect(errorOf(unknown).message).toBe('工号或密码错误');
      await call('POST', '/api/login', { body: { operatorNo: 'T-LOCK', password: 'still-wrong-1' } });
      await call('POST', '/api/login', { body: { operatorNo: 'T-LOCK', password: 'still-wrong-2' } });
      const locked = await call('POST', '/api/login', { body: { operatorNo: 'T-LOCK', password: PASSWORD } });
      expect(locked.status).toBe(429);
      expect(errorOf(locked)).toMatchObject({ code: 'rate_limited' });
      expect(errorOf(locked).message).toMatch(/密码错误次数较多，请在 \d+ 秒后再试/);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('registers a counter only with a one-time code: once, not after it expired, and never with the password alone', async () => {
      const db = server.database.db;
      const devicesNow = async () => (await db.select({ n: count() }).from(devices))[0]!.n;
      const body = { operatorNo: 'T-DORM', password: PASSWORD, name: '注册码柜台', batchId };
      const before = await devicesNow();
      const none = await call('POST', '/api/devices', { body });
      expect(none.status).toBe(400);
      expect(errorOf(none).message).toContain('请输入管理员给的柜台注册码');
      const { code } = await issueRegistrationCode(db);
      expect(code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
      const unknown = await call('POST', '/api/devices', { body: { ...body, registrationCode: 'ZZZZ-ZZZZ-ZZZZ' } });
      expect(unknown.status).toBe(403);
      expect(errorOf(unknown).message).toBe('柜台注册码不对、已用过或已过期，未登记本柜台。请向管理员索取新的注册码（每个注册码只能登记一台柜台）');
      // Typed in lower case with spaces, as read out over the phone.
      const ok = await call('POST', '/api/devices', { body: { ...body, registrationCode: ` ${code.toLowerCase().replaceAll('-', ' ')} ` } });
      expect(ok.status).toBe(201);
      const again = await call('POST', '/api/devices', { body: { ...body, registrationCode: code } });
      expect(again.status).toBe(403);
      const expired = await issueRegistrationCode(db, 1, new Date(Date.now() - 2 * 3_600_000));
      expect((await call('POST', '/api/devices', { body: { ...body, registrationCode: expired.code } })).status).toBe(403);
      expect(await devicesNow()).toBe(before + 1);
    });

    it('refuses registration for a missing batch and for an operator without a checkpoint in it', async () => {
      const missing = await call('POST', '/api/devices', { body: { operatorNo: 'T-DORM', password: PASSWORD, name: 'x', batchId: 'nope', registrationCode: await registrationCode(server.database.db) } });
      expect(missing.status).toBe(404);
      expect(errorOf(missing).message).toContain('没有编号为 "nope" 的离校批次');
      await addOperator(server.database.db, 'T-NONE', '未授权老师', PASSWORD);
      const devicesBefore = await server.database.db.select({ n: count() }).from(devices);
      const ungranted = await call('POST', '/api/devices', { body: { operatorNo: 'T-NONE', password: PASSWORD, name: 'x', batchId, registrationCode: await registrationCode(server.database.db) } });
      expect(ungranted.status).toBe(403);
      expect(errorOf(ungranted)).toMatchObject({ code: 'forbidden', message: '您在「2027届本科毕业生离校」中没有任何离校点的办理权限，请联系管理员授权' });
      expect(await server.database.db.select({ n: count() }).from(devices)).toEqual(devicesBefore);
    });

    it('turns away a missing, wrong or revoked device token', async () => {
      const none = await call('GET', '/api/sync/pull?cursor=0');
      expect(none.status).toBe(401);
      expect(errorOf(none).code).toBe('unauthorized');
      const wrong = await call('GET', '/api/sync/pull?cursor=0', { token: 'lxd_forged' });
      expect(wrong.status).toBe(401);
      expect(errorOf(wrong).message).toBe('设备令牌无效，请重新登记本柜台');
      const device = await register('T-DORM');
      await revokeDevice(server.database.db, device.deviceId);
      const revoked = await device.push([device.op('pass', CS1, 'dorm-clearance')]);
      expect(revoked.status).toBe(403);
      expect(errorOf(revoked)).toMatchObject({ code: 'device_revoked', message: '此柜台已被管理员停用，请联系管理员' });
    });
  });

  describe('push', () => {
    it('applies ops once: a replayed push answers with the stored outcomes and changes nothing', async () => {
      const device = await register('T-DORM');
      const batch = [device.op('pass', CS1, 'dorm-clearance'), device.op('pass', '2099000000', 'dorm-clearance')];
      const first = pushResponseSchema.parse((await device.push(batch)).json);
      expect(first.results.map((r) => r.outcome)).toEqual(['applied', 'rejected']);
      expect(first.results[1]?.reason).toBe('未找到学号为 2099000000 的学生');
      const before = await storedOps();
      const again = await device.push(batch);
      expect(again.status).toBe(200);
      const replay = pushResponseSchema.parse(again.json);
      expect(replay.results).toEqual(first.results.map((r) => ({ ...r, duplicate: true })));
      expect(replay.lastDeviceSeq).toBe(2);
      expect(await storedOps()).toBe(before);
    });

    it('stores an op once when the same push arrives several times at once', async () => {
      const device = await register('T-DORM');
      const list = [device.op('pass', ME3, 'dorm-clearance', 0), device.op('lift', CS2, 'dorm-clearance', 0, '缓交')];
      const before = await storedOps();
      const responses = await Promise.all(Array.from({ length: 5 }, () => device.push(list)));
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const bodies = responses.map((r) => pushResponseSchema.parse(r.json));
      expect(bodies.filter((b) => b.results.every((r) => !r.duplicate))).toHaveLength(1);
      const strip = (b: (typeof bodies)[number]) => b.results.map(({ duplicate: _, ...rest }) => rest);
      for (const b of bodies) expect(strip(b)).toEqual(strip(bodies[0]!));
      expect(await storedOps()).toBe(before + 2);
    });

    it('refuses a sequence gap with the expected deviceSeq, storing nothing', async () => {
      const device = await register('T-DORM');
      const first = device.op('pass', CS2, 'dorm-clearance');
      device.op('pass', ME3, 'dorm-clearance');
      const third = device.op('pass', ME3, 'dorm-clearance');
      const before = await storedOps();
      const res = await device.push([first, third]);
      expect(res.status).toBe(409);
      expect(errorOf(res)).toMatchObject({ code: 'seq_gap', expectedDeviceSeq: 2 });
      expect(errorOf(res).message).toContain('服务器需要序号 2，收到的是 3');
      expect(await storedOps()).toBe(before);
    });

    it('refuses ops claiming another device', async () => {
      const a = await register('T-DORM');
      const b = await register('T-DORM');
      const before = await storedOps();
      const res = await a.push([b.op('pass', CS2, 'dorm-clearance')]);
      expect(res.status).toBe(403);
      expect(errorOf(res).message).toContain('与当前柜台');
      expect(await storedOps()).toBe(before);
    });

    it('answers malformed JSON, a wrong content type, a bad shape and an oversized body with clear errors', async () => {
      const device = await register('T-DORM');
      const before = await storedOps();
      const malformed = await call('POST', '/api/sync/push', { raw: '{"ops": [', token: device.token });
      expect(malformed.status).toBe(400);
      expect(errorOf(malformed)).toMatchObject({ code: 'invalid_json', message: '请求内容不是有效的 JSON' });
      const text = await call('POST', '/api/sync/push', { raw: 'ops', token: device.token, headers: { 'content-type': 'text/plain' } });
      expect(text.status).toBe(415);
      expect(errorOf(text).message).toContain('必须是 JSON');
      const shape = await call('POST', '/api/sync/push', { body: { ops: [{ opId: 'x' }] }, token: device.token });
      expect(shape.status).toBe(400);
      expect(errorOf(shape).code).toBe('bad_request');
      expect(errorOf(shape).issues?.length).toBeGreaterThan(0);
      const empty = await call('POST', '/api/sync/push', { body: { ops: [] }, token: device.token });
      expect(errorOf(empty).message).toContain('没有要上传的操作');
      const huge = await call('POST', '/api/sync/push', { body: { ops: [], pad: 'x'.repeat(PUSH_BODY_LIMIT + 1024) }, token: device.token });
      expect(huge.status).toBe(413);
      expect(errorOf(huge)).toMatchObject({ code: 'body_too_large', message: '请求内容过大（上限 16 MB），请分批上传' });
      const hugeLogin = await call('POST', '/api/login', { body: { operatorNo: 'T-DORM', password: 'x'.repeat(3 * 1024 * 1024) } });
      expect(hugeLogin.status).toBe(413);
      expect(errorOf(hugeLogin)).toMatchObject({ code: 'body_too_large', message: '请求内容过大（上限 2 MB），请分批上传' });
      expect(await storedOps()).toBe(before);
      const after = await device.push([device.op('pass', ME3, 'dorm-clearance')]);
      expect(after.status).toBe(200);
    });

    it('rejects an op out of the operator\'s college scope, stored with the reason', async () => {
      const device = await register('T-CS');
      const res = pushResponseSchema.parse((await device.push([device.op('pass', ME3, 'return-instruments')])).json);
      expect(res.results[0]).toMatchObject({ outcome: 'rejected', reason: '该学生不属于您负责的学院，不能办理' });
      const [row] = await server.database.db.select().from(ops).where(eq(ops.opId, res.results[0]!.opId));
      expect(row).toMatchObject({ outcome: 'rejected', applied: false });
    });
  });

  describe('pull, snapshot and events', () => {
    async function snapshot(token: string): Promise<SnapshotLine[]> {
      const res = await fetch(`${server.url}/api/sync/snapshot`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.headers.get('content-type')).toContain('application/x-ndjson');
      const text = await res.text();
      return text
        .trim()
        .split('\n')
        .map((line) => snapshotLineSchema.parse(JSON.parse(line)));
    }

    const keyOf = (row: SyncRow) =>
      row.type === 'student'
        ? `student:${row.studentNo}`
        : row.type === 'state' || row.type === 'waiver'
          ? `${row.type}:${row.studentNo}:${row.stepId}`
          : row.type === 'conflict'
            ? `conflict:${row.id}`
            : `op:${row.opId}`;

    async function pullAll(token: string, cursor: number, limit: number) {
      const latest = new Map<string, SyncRow>();
      let pages = 0;
      for (;;) {
        const res = await call('GET', `/api/sync/pull?cursor=${cursor}&limit=${limit}`, { token });
        const page = pullResponseSchema.parse(res.json);
        for (const row of page.rows) {
          expect(row.seq).toBeGreaterThan(cursor);
          latest.set(keyOf(row), row);
        }
        cursor = page.cursor;
        pages++;
        if (!page.hasMore) return { latest, cursor, pages };
      }
    }

    it('paging through pull from zero gives the same rows as a snapshot', async () => {
      const dorm = await register('T-DORM');
      const stu = await register('T-STU');
      await dorm.push([dorm.op('lift', CS2, 'dorm-clearance', 0, '缓交')]);
      await stu.push([stu.op('reject', CS1, 'return-student-card', 0, '学生证未交'), stu.op('revoke', CS1, 'return-student-card', 1)]);
      const lines = await snapshot(dorm.token);
      const [header] = lines;
      const end = lines[lines.length - 1];
      expect(header).toMatchObject({ type: 'header', batch: { id: batchId } });
      expect(end).toMatchObject({ type: 'end', rows: lines.length - 2 });
      if (header?.type !== 'header') throw new Error('no header');
      expect(header.counts.students).toBe(4);
      const fromSnapshot = new Map(lines.filter((l): l is SyncRow => l.type !== 'header' && l.type !== 'end').map((r) => [keyOf(r), r]));
      const { latest, pages, cursor } = await pullAll(dorm.token, 0, 3);
      expect(pages).toBeGreaterThan(3);
      expect(cursor).toBe(header.seq);
      expect(new Map([...latest].sort())).toEqual(new Map([...fromSnapshot].sort()));
    });

    it('continues from a snapshot with pulls after its seq', async () => {
      const device = await register('T-DORM');
      const [header] = await snapshot(device.token);
      if (header?.type !== 'header') throw new Error('no header');
      await device.push([device.op('pass', CS2, 'dorm-clearance', 0)]);
      const { latest } = await pullAll(device.token, header.seq, 100);
      expect([...latest.keys()].sort()).toEqual([`op:${[...latest.values()].find((r) => r.type === 'op')!.opId}`, `state:${CS2}:dorm-clearance`].sort());
    });

    it('gives a college-scoped device only its college\'s students and their rows', async () => {
      const device = await register('T-CS');
      const lines = await snapshot(device.token);
      const studentNos = new Set(lines.flatMap((l) => ('studentNo' in l ? [l.studentNo] : [])));
      expect([...studentNos].sort()).toEqual([CS1, CS2]);
      const { latest } = await pullAll(device.token, 0, 1000);
      expect([...latest.values()].every((r) => !('studentNo' in r) || r.studentNo === CS1 || r.studentNo === CS2)).toBe(true);
    });

    it('refuses a bad cursor or limit', async () => {
      const device = await register('T-DORM');
      const res = await call('GET', '/api/sync/pull?cursor=-1&limit=999999', { token: device.token });
      expect(res.status).toBe(400);
      expect(errorOf(res).message).toContain('cursor 不能为负数');
      expect(errorOf(res).message).toContain('limit 最大为 5000');
    });

    it('nudges connected counters when a change commits, with the seq it reached', async () => {
      const device = await register('T-DORM');
      const controller = new AbortController();
      const res = await fetch(`${server.url}/api/sync/events`, { headers: { authorization: `Bearer ${device.token}` }, signal: controller.signal });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      const events: number[] = [];
      const nextEvent = async () => {
        let buffer = '';
        for (;;) {
          const { value } = await reader.read();
          buffer += value ?? '';
          const m = /event: changed\ndata: (\{.*\})\n\n/.exec(buffer);
          if (m) return (JSON.parse(m[1]!) as { seq: number }).seq;
        }
      };
      events.push(await nextEvent());
      const pushed = await device.push([device.op('pass', ME3, 'electricity')]);
      expect(pushed.status).toBe(200);
      const committed = Math.max(...pushResponseSchema.parse(pushed.json).results.map((r) => r.seq));
      // The stream speaks only when a change commits: the next event is this push's, carrying its seq.
      const seq = await nextEvent();
      expect(seq).toBeGreaterThan(events[0]!);
      expect(seq).toBeGreaterThanOrEqual(committed);
      controller.abort();
    });
  });

  describe('operators on a device and conflicts', () => {
    it('admits another operator to a device on login, and asks for a new snapshot when the scope widens', async () => {
      const device = await register('T-CS');
      const refused = pushResponseSchema.parse((await device.push([{ ...device.op('pass', CS1, 'dorm-clearance'), operatorId: 'T-DORM' }])).json);
      expect(refused.results[0]?.reason).toContain('没有在此设备上登录');
      const login = await call('POST', '/api/login', { body: { operatorNo: 'T-DORM', password: PASSWORD }, token: device.token });
      expect(login.json).toMatchObject({ operator: { id: 'T-DORM' }, resnapshot: true });
      const again = await call('POST', '/api/login', { body: { operatorNo: 'T-DORM', password: PASSWORD }, token: device.token });
      expect(again.json).toMatchObject({ resnapshot: false });
      // A student and step no other test here touches, so base 0 is current and the outcome is exact.
      const accepted = pushResponseSchema.parse((await device.push([{ ...device.op('pass', ME4, 'dorm-clearance', 0), operatorId: 'T-DORM' }])).json);
      expect(accepted.results[0]).toMatchObject({ outcome: 'applied', version: 1 });
      const [state] = await server.database.db.select().from(stepStates).where(and(eq(stepStates.studentNo, ME4), eq(stepStates.stepId, 'dorm-clearance')));
      expect(state).toMatchObject({ status: 'passed', updatedBy: 'T-DORM', lastOpId: accepted.results[0]!.opId });
    });

    it('lets an operator of the step\'s checkpoint resolve a conflict once, and the change syncs', async () => {
      const a = await register('T-STU');
      const b = await register('T-STU');
      const student = ME4;
      const rejected = pushResponseSchema.parse((await a.push([a.op('reject', student, 'return-student-card', 0, '学生证未交')])).json);
      const version = rejected.results[0]!.version!;
      await a.push([a.op('pass', student, 'return-student-card', version)]);
      const flagged = pushResponseSchema.parse((await b.push([b.op('revoke', student, 'return-student-card', version, '复查')])).json);
      const conflictId = flagged.results[0]!.conflictId!;
      expect(conflictId).toBeGreaterThan(0);
      const outsider = await register('T-DORM');
      const forbidden = await call('POST', `/api/conflicts/${conflictId}/resolve`, { body: { operatorNo: 'T-DORM' }, token: outsider.token });
      expect(forbidden.status).toBe(403);
      expect(errorOf(forbidden).message).toContain('学生工作处离校点');
      const before = pullResponseSchema.parse((await call('GET', '/api/sync/pull?cursor=0&limit=5000', { token: a.token })).json).cursor;
      const resolved = await call('POST', `/api/conflicts/${conflictId}/resolve`, { body: { operatorNo: 'T-STU' }, token: a.token });
      expect(resolved.json).toMatchObject({ type: 'conflict', id: conflictId, resolved: true, resolvedBy: '学工老师' });
      const twice = await call('POST', `/api/conflicts/${conflictId}/resolve`, { body: { operatorNo: 'T-STU' }, token: a.token });
      expect(twice.status).toBe(409);
      const page = pullResponseSchema.parse((await call('GET', `/api/sync/pull?cursor=${before}`, { token: b.token })).json);
      expect(page.rows).toContainEqual(expect.objectContaining({ type: 'conflict', id: conflictId, resolved: true }));
      const missing = await call('POST', '/api/conflicts/999999/resolve', { body: { operatorNo: 'T-STU' }, token: a.token });
      expect(missing.status).toBe(404);
    });
  });

  describe('integration writes', () => {
    it('lets a campus system set its own steps with its API key, idempotently', async () => {
      const key = await createApiKey(server.database.db, 'library', '图书馆系统', batchId, ['return-books']);
      const write = (body: object, apiKey = key) =>
        call('POST', '/api/integration/steps', { body, headers: { 'x-api-key': apiKey } });
      const body = { opId: uuidv7(), studentNo: ME3, stepId: 'return-books', status: 'passed' };
      const first = await write(body);
      expect(first.status).toBe(200);
      expect(first.json).toMatchObject({ outcome: 'applied', applied: true, deviceSeq: 1 });
      expect(await write(body).then((r) => r.json)).toMatchObject({ outcome: 'applied', duplicate: true });
      const [state] = await server.database.db.select().from(stepStates).where(eq(stepStates.lastOpId, body.opId));
      expect(state).toMatchObject({ status: 'passed', updatedByName: '图书馆系统' });
      const other = await write({ opId: uuidv7(), studentNo: ME3, stepId: 'repay-debt', status: 'passed' });
      expect(other.json).toMatchObject({ outcome: 'rejected', reason: '此接口密钥无权写入环节「缴还欠款」' });
      const reused = await write({ ...body, status: 'pending' });
      expect(reused.status).toBe(409);
      const bad = await write({ opId: 'nope', studentNo: ME3, stepId: 'return-books', status: 'done' });
      expect(errorOf(bad).message).toContain('opId 必须是 UUID');
      const wrongKey = await write(body, 'lxk_wrong');
      expect(wrongKey.status).toBe(401);
    });
  });
});
