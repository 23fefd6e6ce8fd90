import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Output } from '../../src-shared/contract/counter-api';
import { readSession } from '../../src-main/db';
import { checkKnownOperator } from '../../src-main/db/known-operators';
import { createCounterService, type CounterService } from '../../src-main/counter/service';
import { syncConflicts } from '../../src-main/sync/sync-handlers';
import { addOperator, grantCheckpoint } from '../../src-server/admin/operators';
import { listRejectedOps } from '../../src-server/admin/devices';
import { runCli } from '../../src-server/cli';
import { grants, operatorSessions, operators } from '../../src-server/db/schema';
import { PASSWORD } from '../../src-server/testing/fixtures';
import { BACKENDS } from '../../src-server/testing/throwaway-database';
import { SyncWorld, type Counter } from './sync-world';

/**
 * Who an op is from (issue 13): online sign-ins open a session that every op carries, offline
 * ones are marked and checked as the operator stands when the op arrives; the server refuses
 * and keeps; scopes shrink with grants; the counter's offline sign-in follows the server. A real
 * server on both backends, real counters with replica files.
 */

const count = (counter: Counter, table: string): number =>
  (counter.replica.sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;

const studentNos = (counter: Counter): string[] =>
  counter.replica.sqlite.prepare('select student_no from students order by student_no').pluck().all() as string[];

async function signIn(service: CounterService, operatorNo: string, password = PASSWORD): Promise<Output<'session.signIn'>> {
  const response = await service.dispatch('session.signIn', { operatorNo, password });
  if (!response.ok) throw new Error(`session.signIn ${operatorNo}: ${response.error.message}`);
  return response.value as Output<'session.signIn'>;
}

describe.each(BACKENDS)('operator identity on %s', (backend) => {
  const world = new SyncWorld(backend);
  const db = () => world.server.database.db;

  beforeAll(() => world.start());
  afterAll(() => world.stop());

  it('ops carry the online session; a foreign or expired session, and a disabled operator, are refused, kept on the server, shown on the counter and listed for the admin', async () => {
    await addOperator(db(), 'T-GONE', '将停用老师', PASSWORD);
    await grantCheckpoint(db(), 'T-GONE', 'dorm', []);
    const counter = await world.counter('T-GONE');
    const other = await world.counter('T-DORM');
    const session = readSession(counter.replica.sqlite, counter.replica.batch).serverSession;
    expect(session?.token).toMatch(/^lxs_/);
    expect(Date.parse(session!.expiresAt)).toBeGreaterThan(Date.now());

    counter.do([{ kind: 'pass', studentNo: '2023000001', stepId: 'dorm-clearance' }]);
    expect(counter.replica.sqlite.prepare('select session from outbox').pluck().all()).toEqual([session!.token]);
    await counter.client.sync();

    // The device claims another device's sign-in for its op: the token is not this device's.
    const foreign = readSession(other.replica.sqlite, other.replica.batch).serverSession!.token;
    counter.do([{ kind: 'pass', studentNo: '2023000002', stepId: 'dorm-clearance' }]);
    counter.replica.sqlite.prepare('update outbox set session = ? where device_seq = 2').run(foreign);
    await counter.client.sync();

    // The server ended the session early (its expiry is the test's lever): ops made after it are refused.
    await db()
      .update(operatorSessions)
      .set({ expiresAt: new Date(Date.now() - 60_000).toISOString() })
      .where(eq(operatorSessions.deviceId, counter.deviceId));
    counter.do([{ kind: 'pass', studentNo: '2023000003', stepId: 'dorm-clearance' }]);
    await counter.client.sync();

    // Refused ops change nothing locally: the view falls back to the server's row.
    expect(counter.state('2023000002', 'dorm-clearance')).toMatchObject({ status: 'pending', version: 0 });

    // Offline sign-in's op (no session) of an operator disabled on the server meanwhile.
    await db().update(operators).set({ disabled: true }).where(eq(operators.operatorNo, 'T-GONE'));
    const replicaSession = readSession(counter.replica.sqlite, counter.replica.batch);
    counter.replica.sqlite.prepare("update meta set value = ? where key = 'session'").run(
      JSON.stringify({ operator: replicaSession.operator, grants: replicaSession.grants, checkpointId: replicaSession.checkpointId, serverSession: null }),
    );
    counter.do([{ kind: 'pass', studentNo: '2023000004', stepId: 'dorm-clearance' }]);
    expect(counter.replica.sqlite.prepare('select session from outbox where device_seq = 4').pluck().get()).toBeNull();
    await counter.client.sync();

    const stored = await world.serverOps(counter.deviceId);
    expect(stored.map((o) => [o.deviceSeq, o.signIn, o.outcome])).toEqual([
      [1, 'session', 'applied'],
      [2, 'session', 'rejected'],
      [3, 'session', 'rejected'],
      [4, 'offline', 'rejected'],
    ]);
    const reasons = stored.map((o) => o.reason);
    expect(reasons[1]).toMatch(/不是操作员 T-GONE 在本柜台的联网登录，此操作未生效/);
    expect(reasons[2]).toMatch(/联网登录在办理时已过期，此操作未生效/);
    expect(reasons[3]).toMatch(/T-GONE 已被管理员停用，此操作未生效/);
    expect((await world.serverView()).get('2023000002/dorm-clearance')).toBeUndefined();

    // 冲突与被拒 on the counter: every refused op with the server's reason; nothing applied locally.
    const shown = syncConflicts(counter.replica).rejected;
    expect(shown.map((r) => [r.studentNo, r.reason])).toEqual([
      ['2023000004', reasons[3]],
      ['2023000003', reasons[2]],
      ['2023000002', reasons[1]],
    ]);
    // T-GONE was the device's only operator: disabled, they take the whole roster off it, never an op.
    expect(count(counter, 'students')).toBe(0);
    expect(count(counter, 'outbox')).toBe(4);

    // The admin's list, from the op log.
    const listed = await listRejectedOps(db(), counter.deviceId, 50);
    expect(listed.map((r) => [r.deviceSeq, r.signIn, r.reason])).toEqual([
      [4, 'offline', reasons[3]],
      [3, 'session', reasons[2]],
      [2, 'session', reasons[1]],
    ]);
    if (world.server.database.url) {
      const previous = process.env.DATABASE_URL;
      process.env.DATABASE_URL = world.server.database.url;
      const out: string[] = [];
      try {
        expect(await runCli(['devices', 'rejected', counter.deviceId], (l) => out.push(l))).toBe(0);
      } finally {
        if (previous === undefined) delete process.env.DATABASE_URL;
        else process.env.DATABASE_URL = previous;
      }
      expect(out[0]).toBe('最近 3 个被拒绝的柜台操作（新的在前；操作都保留在服务器的操作记录中）：');
      expect(out[1]).toMatch(new RegExp(`柜台1（${counter.deviceId}）#4  操作员 T-GONE（离线登录）  通过 2023000004 dorm-clearance$`));
      expect(out[2]).toBe(`    原因：${reasons[3]}`);
    }
  });

  it("after the session's expiry by its own clock the counter marks its ops as made offline, and the server checks them as such", async () => {
    const counter = await world.counter('T-DORM');
    const { sqlite, batch } = counter.replica;
    const session = readSession(sqlite, batch);
    const expired = { ...session.serverSession!, expiresAt: new Date(Date.now() - 1000).toISOString() };
    sqlite.prepare("update meta set value = ? where key = 'session'").run(
      JSON.stringify({ operator: session.operator, grants: session.grants, checkpointId: session.checkpointId, serverSession: expired }),
    );
    // A step the first test left pending (its op was refused there).
    counter.do([{ kind: 'pass', studentNo: '2023000002', stepId: 'dorm-clearance' }]);
    expect(sqlite.prepare('select session from outbox').pluck().all()).toEqual([null]);
    await counter.client.sync();
    expect((await world.serverOps(counter.deviceId)).map((o) => [o.signIn, o.outcome])).toEqual([['offline', 'applied']]);
  });

  it('revoked grants shrink the replica file: the snapshot and pulls narrow, the counter drops the students, their pending ops are kept and shown', async () => {
    await addOperator(db(), 'T-TWO', '两院老师', PASSWORD);
    await grantCheckpoint(db(), 'T-TWO', 'college', ['计算机学院', '机电工程学院']);
    const counter = await world.counter('T-TWO');
    expect(studentNos(counter)).toEqual(['2023000001', '2023000002', '2023000003', '2023000004']);
    const before = { states: count(counter, 'step_states'), students: count(counter, 'students') };

    // Made while the grant still stood, pushed after it was taken away.
    counter.do([{ kind: 'pass', studentNo: '2023000003', stepId: 'return-instruments' }]);
    // The console's 收回授权 and a narrower 授权 again, as rows.
    await db().delete(grants).where(and(eq(grants.operatorNo, 'T-TWO'), eq(grants.checkpointId, 'college')));
    await grantCheckpoint(db(), 'T-TWO', 'college', ['计算机学院']);
    await counter.client.sync();

    expect(studentNos(counter)).toEqual(['2023000001', '2023000002']);
    expect(count(counter, 'students')).toBe(2);
    expect(count(counter, 'step_states')).toBe(before.states / 2);
    for (const table of ['step_states', 'server_step_states', 'waivers', 'server_waivers', 'conflicts']) {
      const left = counter.replica.sqlite.prepare(`select count(*) from ${table} where student_no in ('2023000003', '2023000004')`).pluck().get();
      expect(left, table).toBe(0);
    }
    // The op is not lost: refused by the server with its reason, still in the outbox.
    const [refused] = syncConflicts(counter.replica).rejected;
    expect(refused).toMatchObject({ studentNo: '2023000003', reason: expect.stringMatching(/权限|不能办理/) });
    expect(count(counter, 'outbox')).toBe(1);
    // The session follows the server: the college grant narrowed in it too.
    expect(readSession(counter.replica.sqlite, counter.replica.batch).grants).toEqual([{ checkpointId: 'college', colleges: ['计算机学院'] }]);

    // Given back: the next round grows the replica again.
    await grantCheckpoint(db(), 'T-TWO', 'college', ['机电工程学院']);
    await counter.client.sync();
    expect(studentNos(counter)).toEqual(['2023000001', '2023000002', '2023000003', '2023000004']);
    expect(count(counter, 'step_states')).toBe(before.states);
  });

  it('a disabled operator takes their part of the roster off the device', async () => {
    await addOperator(db(), 'T-MECH', '机电老师', PASSWORD);
    await grantCheckpoint(db(), 'T-MECH', 'college', ['机电工程学院']);
    const counter = await world.counter('T-CS');
    const service = createCounterService(counter.replica, { sync: counter.client });
    await signIn(service, 'T-MECH');
    expect(studentNos(counter)).toEqual(['2023000001', '2023000002', '2023000003', '2023000004']);
    await db().update(operators).set({ disabled: true }).where(eq(operators.operatorNo, 'T-MECH'));
    await counter.client.sync();
    expect(studentNos(counter)).toEqual(['2023000001', '2023000002']);
  });

  it('each sync refreshes offline sign-in: a changed password or a disabled operator stops working offline; others keep working', async () => {
    await addOperator(db(), 'T-PW', '改密码老师', PASSWORD);
    await grantCheckpoint(db(), 'T-PW', 'dorm', []);
    await addOperator(db(), 'T-OFF', '将停用老师二', PASSWORD);
    await grantCheckpoint(db(), 'T-OFF', 'dorm', []);
    const relay = await world.ownRelay();
    const counter = await world.counter('T-STU', {}, relay);
    const service = createCounterService(counter.replica, { sync: counter.client });
    await signIn(service, 'T-PW');
    await signIn(service, 'T-OFF');
    await signIn(service, 'T-STU');
    const { sqlite } = counter.replica;
    for (const no of ['T-PW', 'T-OFF', 'T-STU']) expect((await checkKnownOperator(sqlite, no, PASSWORD)).ok).toBe(true);

    await addOperator(db(), 'T-PW', '改密码老师', 'a-new-password-2');
    await db().update(operators).set({ disabled: true }).where(eq(operators.operatorNo, 'T-OFF'));
    // Not yet synced: the counter still holds what it knew.
    expect((await checkKnownOperator(sqlite, 'T-PW', PASSWORD)).ok).toBe(true);

    await counter.client.sync();
    expect(await checkKnownOperator(sqlite, 'T-PW', PASSWORD)).toEqual({ ok: false, reason: 'unknown' });
    expect(await checkKnownOperator(sqlite, 'T-PW', 'a-new-password-2')).toEqual({ ok: false, reason: 'unknown' });
    expect(await checkKnownOperator(sqlite, 'T-OFF', PASSWORD)).toEqual({ ok: false, reason: 'unknown' });
    expect((await checkKnownOperator(sqlite, 'T-STU', PASSWORD)).ok).toBe(true);

    // Through the counter API with the network gone, as at a shift change.
    await relay.down();
    for (const no of ['T-PW', 'T-OFF']) {
      const refused = await service.dispatch('session.signIn', { operatorNo: no, password: PASSWORD });
      expect(refused).toMatchObject({ ok: false, error: { code: 'refused', message: expect.stringMatching(new RegExp(`${no} 在本柜台没有可用的离线登录记录`)) } });
    }
    expect(await signIn(service, 'T-STU')).toMatchObject({ offline: true, session: { operator: { id: 'T-STU' } } });
    expect(readSession(sqlite, counter.replica.batch).serverSession).toBeNull();
  });
});
