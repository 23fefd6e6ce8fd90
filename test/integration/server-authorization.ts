import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { Op, OpKind } from '../../src-shared/contract/ops';
import { errorResponseSchema, pushResponseSchema, registerDeviceResponseSchema, snapshotLineSchema } from '../../src-shared/contract/sync';
import { createBatch } from '../../src-server/admin/batches';
import { createApiKey, revokeApiKey } from '../../src-server/admin/devices';
import { addOperator, grantCheckpoint } from '../../src-server/admin/operators';
import { storeRoster } from '../../src-server/admin/roster-store';
import { conflicts, ops, stepStates } from '../../src-server/db/schema';
import { counterOp, demoBatchDefinition, PASSWORD, registrationCode, seedSmallWorld, student } from '../../src-server/testing/fixtures';
import { startTestServer, type TestServer } from '../../src-server/testing/test-server';
import type { Backend } from '../../src-server/testing/throwaway-database';

const CS1 = '2023000001';
const ME3 = '2023000003';
/** On the second batch's roster only. */
const ONLY_B = '2024000009';
const BATCH_B = '2027-yjs';

/** Who may act where, beyond one happy path: one engine per file, so each stays within its budget. */
export function serverAuthorization(backend: Backend): void {
  describe(`server authorization on ${backend}`, () => {
    let server: TestServer;
    let batchA: string;

    beforeAll(async () => {
      server = await startTestServer(backend);
      const db = server.database.db;
      ({ batchId: batchA } = await seedSmallWorld(db, server.batches));
      await createBatch(db, { ...demoBatchDefinition(), id: BATCH_B, name: '2027届研究生离校' });
      await storeRoster(db, server.batches, BATCH_B, [student(CS1, '计算机学院'), student(ONLY_B, '计算机学院')]);
      await addOperator(db, 'T-ME', '机电学院老师', PASSWORD);
      await grantCheckpoint(db, 'T-ME', 'college', ['机电工程学院']);
    });
    afterAll(async () => {
      await server?.close();
    });

    async function call(method: string, path: string, { body, token, apiKey }: { body?: unknown; token?: string; apiKey?: string } = {}) {
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (apiKey !== undefined) headers['x-api-key'] = apiKey;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, json: text.startsWith('{') ? (JSON.parse(text) as unknown) : null };
    }
    const errorOf = (response: { json: unknown }) => errorResponseSchema.parse(response.json).error;

    async function register(operatorNo: string, batchId: string) {
      const res = await call('POST', '/api/devices', { body: { operatorNo, password: PASSWORD, name: `柜台-${operatorNo}`, batchId, registrationCode: await registrationCode(server.database.db) } });
      expect(res.status).toBe(201);
      const device = registerDeviceResponseSchema.parse(res.json);
      let next = 1;
      const op = (kind: OpKind, studentNo: string, stepId: string, base: number, note = ''): Op =>
        counterOp(device.deviceId, next++, operatorNo, kind, studentNo, stepId, base, note);
      const push = async (...list: Op[]) => {
        const res = await call('POST', '/api/sync/push', { body: { ops: list }, token: device.token });
        expect(res.status).toBe(200);
        return pushResponseSchema.parse(res.json).results;
      };
      return { ...device, op, push };
    }

    /** The whole of what a write could have touched, to show that a refusal left it as it was. */
    async function everything() {
      const db = server.database.db;
      return {
        ops: await db.select({ n: count() }).from(ops),
        states: await db.select().from(stepStates).orderBy(stepStates.batchId, stepStates.studentNo, stepStates.stepId),
        conflicts: await db.select().from(conflicts).orderBy(conflicts.id),
      };
    }

    async function stateIn(batchId: string, studentNo: string, stepId: string) {
      const [row] = await server.database.db
        .select()
        .from(stepStates)
        .where(and(eq(stepStates.batchId, batchId), eq(stepStates.studentNo, studentNo), eq(stepStates.stepId, stepId)));
      return row;
    }

    async function snapshotStudents(token: string): Promise<string[]> {
      const res = await fetch(`${server.url}/api/sync/snapshot`, { headers: { authorization: `Bearer ${token}` } });
      const lines = (await res.text()).trim().split('\n').map((l) => snapshotLineSchema.parse(JSON.parse(l)));
      return lines.flatMap((l) => (l.type === 'student' ? [l.studentNo] : [])).sort();
    }

    /** A pass_revoke conflict on a 机电工程学院 student's college step, flagged through two of T-ME's counters. */
    async function collegeConflict() {
      const a = await register('T-ME', batchA);
      const b = await register('T-ME', batchA);
      const version = (await stateIn(batchA, ME3, 'return-instruments'))?.version ?? 0;
      const [rejected] = await a.push(a.op('reject', ME3, 'return-instruments', version, '仪器未还'));
      await a.push(a.op('pass', ME3, 'return-instruments', rejected!.version!));
      const [flagged] = await b.push(b.op('revoke', ME3, 'return-instruments', rejected!.version!, '复查'));
      expect(flagged).toMatchObject({ outcome: 'conflict' });
      return { a, b, conflictId: flagged!.conflictId! };
    }

    it('keeps the devices of two batches apart: pushes, snapshots and conflicts of one never reach the other', async () => {
      const a = await register('T-DORM', batchA);
      const b = await register('T-DORM', BATCH_B);
      expect(await snapshotStudents(a.token)).toEqual(['2023000001', '2023000002', '2023000003', '2023000004']);
      expect(await snapshotStudents(b.token)).toEqual([CS1, ONLY_B]);

      const before = await everything();
      const [foreign] = await a.push(a.op('pass', ONLY_B, 'dorm-clearance', 0));
      expect(foreign).toMatchObject({ outcome: 'rejected', applied: false, reason: `未找到学号为 ${ONLY_B} 的学生` });
      expect((await everything()).states).toEqual(before.states);

      const bBefore = await stateIn(BATCH_B, CS1, 'dorm-clearance');
      const [own] = await a.push(a.op('pass', CS1, 'dorm-clearance', 0));
      expect(own).toMatchObject({ outcome: 'applied', applied: true });
      // The same 学号 in the other batch is another student record: untouched.
      expect(await stateIn(BATCH_B, CS1, 'dorm-clearance')).toEqual(bBefore);
      const pulled = (await call('GET', '/api/sync/pull?cursor=0&limit=5000', { token: b.token })).json as { rows: { type: string; opId?: string }[] };
      expect(pulled.rows.some((r) => r.opId === own!.opId)).toBe(false);

      const { conflictId } = await collegeConflict();
      const other = await register('T-ME', BATCH_B);
      const unresolved = await everything();
      const across = await call('POST', `/api/conflicts/${conflictId}/resolve`, { body: { operatorNo: 'T-ME' }, token: other.token });
      expect(across.status).toBe(404);
      expect(errorOf(across).message).toBe(`没有编号为 ${conflictId} 的冲突记录`);
      expect(await everything()).toEqual(unresolved);
    });

    it('lets a conflict be resolved only by an operator on the device who covers the student', async () => {
      const { a, conflictId } = await collegeConflict();
      const resolve = (operatorNo: string) => call('POST', `/api/conflicts/${conflictId}/resolve`, { body: { operatorNo }, token: a.token });
      const before = await everything();

      const absent = await resolve('T-STU');
      expect(absent.status).toBe(403);
      expect(errorOf(absent).message).toBe('操作员 T-STU 没有在此设备上登录');

      // T-CS holds the college checkpoint, but for 计算机学院 only; the student is of 机电工程学院.
      const login = await call('POST', '/api/login', { body: { operatorNo: 'T-CS', password: PASSWORD }, token: a.token });
      expect(login.status).toBe(200);
      const outside = await resolve('T-CS');
      expect(outside.status).toBe(403);
      expect(errorOf(outside).message).toMatch(/^只有「.+」负责该学生的操作员可以处理此冲突$/);
      expect(await everything()).toEqual(before);

      const done = await resolve('T-ME');
      expect(done.status).toBe(200);
      expect(done.json).toMatchObject({ id: conflictId, resolved: true, resolvedBy: '机电学院老师' });
    });

    it('lets an API key write only its own batch, and turns away a revoked or unknown key without writing', async () => {
      const keyA = await createApiKey(server.database.db, 'library-a', '图书馆系统', batchA, ['return-books']);
      const keyB = await createApiKey(server.database.db, 'library-b', '图书馆系统（研）', BATCH_B, ['return-books']);
      const write = (apiKey: string, studentNo: string) =>
        call('POST', '/api/integration/steps', { body: { opId: uuidv7(), studentNo, stepId: 'return-books', status: 'passed' }, apiKey });

      const before = await everything();
      const foreign = await write(keyA, ONLY_B);
      expect(foreign.json).toMatchObject({ outcome: 'rejected', applied: false, reason: `未找到学号为 ${ONLY_B} 的学生` });
      expect((await everything()).states).toEqual(before.states);

      const aBefore = await stateIn(batchA, CS1, 'return-books');
      expect((await write(keyB, CS1)).json).toMatchObject({ outcome: 'applied', applied: true });
      expect(await stateIn(BATCH_B, CS1, 'return-books')).toMatchObject({ status: 'passed', updatedByName: '图书馆系统（研）' });
      expect(await stateIn(batchA, CS1, 'return-books')).toEqual(aBefore);

      await revokeApiKey(server.database.db, 'library-a');
      const untouched = await everything();
      const revoked = await write(keyA, CS1);
      expect(revoked.status).toBe(403);
      expect(errorOf(revoked)).toMatchObject({ code: 'device_revoked', message: '此接口密钥已被停用' });
      const unknown = await write(`lxk_${'x'.repeat(keyA.length - 4)}`, CS1);
      expect(unknown.status).toBe(401);
      expect(errorOf(unknown).message).toBe('接口密钥无效');
      const missing = await write('', CS1);
      expect(missing.status).toBe(401);
      expect(errorOf(missing).message).toBe('缺少接口密钥（x-api-key）');
      expect(await everything()).toEqual(untouched);
    });
  });
}
