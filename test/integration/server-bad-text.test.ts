import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { Op, OpKind } from '../../src-shared/contract/ops';
import { errorResponseSchema, pushResponseSchema, registerDeviceResponseSchema } from '../../src-shared/contract/sync';
import { createApiKey } from '../../src-server/admin/devices';
import { dbErrorKind } from '../../src-server/db/db-errors';
import { ops, stepStates } from '../../src-server/db/schema';
import { PASSWORD, registrationCode, seedSmallWorld } from '../../src-server/testing/fixtures';
import { startTestServer, type TestServer } from '../../src-server/testing/test-server';
import { BACKENDS } from '../../src-server/testing/throwaway-database';

const CS1 = '2023000001';
const CS2 = '2023000002';

/** Issue 21: one op the database cannot store must never stop a counter's sync. */
describe.each(BACKENDS)('text PostgreSQL cannot store, on %s', (backend) => {
  let server: TestServer;
  let batchId: string;

  beforeAll(async () => {
    server = await startTestServer(backend);
    ({ batchId } = await seedSmallWorld(server.database.db, server.batches));
  });
  afterAll(async () => {
    await server?.close();
  });

  async function call(method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as unknown };
  }

  async function register(operatorNo: string) {
    const res = await call('POST', '/api/devices', { operatorNo, password: PASSWORD, name: `柜台-${operatorNo}`, batchId, registrationCode: await registrationCode(server.database.db) });
    expect(res.status).toBe(201);
    const device = registerDeviceResponseSchema.parse(res.json);
    let next = 1;
    return {
      ...device,
      op(kind: OpKind, studentNo: string, stepId: string, note = ''): Op {
        return {
          opId: uuidv7(),
          deviceId: device.deviceId,
          deviceSeq: next++,
          operatorId: operatorNo,
          kind,
          studentNo,
          stepId,
          args: { note },
          base: { version: 0 },
          clientTime: new Date().toISOString(),
        };
      },
      push: (list: Op[]) => call('POST', '/api/sync/push', { ops: list }, { authorization: `Bearer ${device.token}` }),
    };
  }

  const opRow = async (opId: string) => (await server.database.db.select().from(ops).where(eq(ops.opId, opId)))[0];

  it('refuses a NUL note and a lone surrogate op by op; the ops after them are applied; a retry answers the same', async () => {
    const counter = await register('T-DORM');
    const nul = counter.op('reject', CS1, 'dorm-clearance', '证件\u0000损坏');
    const half = counter.op('reject', CS2, 'dorm-clearance', '钥匙\ud83d');
    const good = counter.op('pass', CS1, 'dorm-clearance');
    const first = await counter.push([nul, half, good]);
    expect(first.status).toBe(200);
    const { results, lastDeviceSeq } = pushResponseSchema.parse(first.json);
    expect(results.map((r) => r.outcome)).toEqual(['rejected', 'rejected', 'applied']);
    expect(results[0]!.reason).toBe('服务器无法保存此操作：备注含有不可见的控制字符（第 3 个字符，U+0000），请删除后重新输入。此操作未生效，请改正后重新办理');
    expect(results[1]!.reason).toContain('备注含有残缺的字符（第 3 个字符');
    expect(lastDeviceSeq).toBe(3);
    // Kept in the log like any refused op, in the form the database can hold.
    expect(await opRow(nul.opId)).toMatchObject({ outcome: 'rejected', applied: false, note: '证件损坏' });
    expect(await opRow(half.opId)).toMatchObject({ outcome: 'rejected', note: '钥匙\uFFFD' });
    const [state] = await server.database.db.select().from(stepStates).where(eq(stepStates.studentNo, CS1));
    expect(state).toMatchObject({ stepId: 'dorm-clearance', status: 'passed' });

    const retry = await counter.push([nul, half, good]);
    expect(retry.status).toBe(200);
    expect(pushResponseSchema.parse(retry.json).results.map((r) => [r.outcome, r.duplicate])).toEqual([
      ['rejected', true],
      ['rejected', true],
      ['applied', true],
    ]);
  });

  it('refuses bad text in 学号 and an invalid clientTime the same way', async () => {
    const counter = await register('T-STU');
    const badNo = counter.op('pass', '2023\u0000001', 'return-student-card');
    const badTime = { ...counter.op('pass', CS2, 'return-student-card'), clientTime: 'yesterday' };
    const res = await counter.push([badNo, badTime]);
    const { results } = pushResponseSchema.parse(res.json);
    expect(results.map((r) => r.reason)).toEqual([
      expect.stringContaining('学号含有不可见的控制字符'),
      expect.stringContaining('操作时间「yesterday」不是有效的时间'),
    ]);
  });

  it('stores a value the database refuses despite the checks as a rejected op, and applies the rest', async () => {
    // A trigger raising a data exception (class 22) stands for any value PostgreSQL refuses.
    await server.database.db.execute(sql.raw(`
      create function refuse_boom() returns trigger language plpgsql as $$
      begin
        if new.note = 'boom' then raise exception 'value refused' using errcode = '22023'; end if;
        return new;
      end $$`));
    await server.database.db.execute(sql.raw('create trigger refuse_boom before insert on step_states for each row execute function refuse_boom()'));
    try {
      const counter = await register('T-CS');
      const boom = counter.op('reject', CS1, 'return-instruments', 'boom');
      const after = counter.op('reject', CS2, 'return-instruments', '材料不全');
      const res = await counter.push([boom, after]);
      expect(res.status).toBe(200);
      const { results } = pushResponseSchema.parse(res.json);
      expect(results.map((r) => r.outcome)).toEqual(['rejected', 'applied']);
      expect(results[0]!.reason).toMatch(/^服务器无法保存此操作：.*value refused/);
      expect(await opRow(boom.opId)).toMatchObject({ outcome: 'rejected', note: 'boom' });
      expect(await opRow(after.opId)).toMatchObject({ outcome: 'applied' });
    } finally {
      await server.database.db.execute(sql.raw('drop trigger refuse_boom on step_states'));
      await server.database.db.execute(sql.raw('drop function refuse_boom()'));
    }
  });

  it('answers 400 with the field named for NUL in 工号, 学号 and notes on login, registration and integration writes', async () => {
    const login = await call('POST', '/api/login', { operatorNo: 'T-\u0000DORM', password: PASSWORD });
    expect(login.status).toBe(400);
    expect(errorResponseSchema.parse(login.json).error.message).toContain('工号含有不可见的控制字符');
    const device = await call('POST', '/api/devices', { operatorNo: 'T-DORM', password: PASSWORD, name: '一号\ud800柜台', batchId, registrationCode: await registrationCode(server.database.db) });
    expect(device.status).toBe(400);
    expect(errorResponseSchema.parse(device.json).error.message).toContain('柜台名称含有残缺的字符');
    const key = await createApiKey(server.database.db, 'lib-text', '图书馆系统', batchId, ['return-books']);
    const write = (body: object) =>
      call('POST', '/api/integration/steps', { opId: uuidv7(), stepId: 'return-books', status: 'rejected', ...body }, { 'x-api-key': key });
    const [before] = await server.database.db.select({ n: count() }).from(ops);
    for (const [body, text] of [
      [{ studentNo: CS1, note: '\ud83d' }, '备注含有残缺的字符'],
      [{ studentNo: `${CS1}\u0000`, note: '逾期' }, '学号含有不可见的控制字符'],
    ] as const) {
      const res = await write(body);
      expect(res.status).toBe(400);
      expect(errorResponseSchema.parse(res.json).error.message).toContain(text);
    }
    const [afterCount] = await server.database.db.select({ n: count() }).from(ops);
    expect(afterCount!.n).toBe(before!.n);
  });

  it('tells data errors from an unreachable database', async () => {
    const data = await server.database.db.execute(sql`select 'x'::int`).catch((e: unknown) => e);
    expect(dbErrorKind(data)).toBe('data');
    const range = await server.database.db.execute(sql`select 2147483648::int4`).catch((e: unknown) => e);
    expect(dbErrorKind(range)).toBe('data');
    const syntax = await server.database.db.execute(sql`selec 1`).catch((e: unknown) => e);
    expect(dbErrorKind(syntax)).toBeNull();
  });
});
