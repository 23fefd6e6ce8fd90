import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Output } from '../../src-shared/contract/counter-api';
import { readSession } from '../../src-main/db';
import { createCounterService, type CounterService } from '../../src-main/counter/service';
import { resnapshotNeeded } from '../../src-main/sync/roster-merge';
import { SyncHttp } from '../../src-main/sync/server-http';
import { addOperator } from '../../src-server/admin/operators';
import { PASSWORD } from '../../src-server/testing/fixtures';
import { BACKENDS } from '../../src-server/testing/throwaway-database';
import { SyncWorld, tokenOf, type Counter } from './sync-world';

/** 换人登录 on an existing replica, against a real server on both backends and real replica files. */

type SignIn = Output<'session.signIn'>;

async function signIn(service: CounterService, operatorNo: string, password = PASSWORD): Promise<SignIn> {
  const response = await service.dispatch('session.signIn', { operatorNo, password });
  if (!response.ok) throw new Error(`session.signIn ${operatorNo}: ${response.error.message}`);
  return response.value as SignIn;
}

function sessionOf(counter: Counter) {
  const { operator, checkpointId, grants } = readSession(counter.replica.sqlite, counter.replica.batch);
  return { operator: operator.id, checkpointId, grants };
}

function studentNos(counter: Counter): string[] {
  return (counter.replica.sqlite.prepare('select student_no from students order by student_no').all() as { student_no: string }[]).map((r) => r.student_no);
}

function cursorOf(counter: Counter): number {
  return (counter.replica.sqlite.prepare('select cursor from sync_state').get() as { cursor: number }).cursor;
}

function count(counter: Counter, table: 'outbox' | 'audit_log'): number {
  return (counter.replica.sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
}

describe.each(BACKENDS)('换人登录 on %s', (backend) => {
  const world = new SyncWorld(backend);

  beforeAll(async () => {
    await world.start();
    await addOperator(world.server.database.db, 'T-NONE', '未授权老师', PASSWORD);
  });
  afterAll(() => world.stop());

  it('online: the session becomes the new operator and later ops carry their id; refusals leave the session', async () => {
    const counter = await world.counter('T-DORM');
    const service = createCounterService(counter.replica, { sync: counter.client });
    counter.do([{ kind: 'pass', studentNo: '2023000001', stepId: 'dorm-clearance' }]);

    const answer = await signIn(service, 'T-STU');
    expect(answer).toMatchObject({ offline: false, roster: 'unchanged', rosterError: null });
    expect(answer.session.operator).toEqual({ id: 'T-STU', name: '学工老师' });
    // T-STU does not hold the dorm checkpoint: the counter moves to theirs.
    expect(answer.session.checkpointId).toBe('student-affairs');
    expect(sessionOf(counter)).toMatchObject({ operator: 'T-STU', checkpointId: 'student-affairs', grants: [{ checkpointId: 'student-affairs', colleges: 'all' }] });

    const applied = await service.dispatch('steps.apply', { studentNo: '2023000002', stepId: 'return-student-card', action: 'pass' });
    expect(applied.ok).toBe(true);
    await counter.client.sync();
    const stored = await world.serverOps(counter.deviceId);
    expect(stored.map((o) => [o.operatorId, o.stepId, o.outcome])).toEqual([
      ['T-DORM', 'dorm-clearance', 'applied'],
      ['T-STU', 'return-student-card', 'applied'],
    ]);

    const refusals: [string, string, string, RegExp][] = [
      ['T-CERT', 'wrong-password', 'unauthorized', /^工号或密码错误$/],
      ['T-NONE', PASSWORD, 'forbidden', /没有任何离校点的办理权限/],
      ['', PASSWORD, 'bad_input', /工号/],
    ];
    for (const [operatorNo, password, code, message] of refusals) {
      const refused = await service.dispatch('session.signIn', { operatorNo, password });
      expect(refused).toMatchObject({ ok: false, error: { code, message: expect.stringMatching(message) } });
      expect(sessionOf(counter)).toMatchObject({ operator: 'T-STU', checkpointId: 'student-affairs' });
    }
  });

  it('a wider operator triggers the merge: new students searchable, pending ops survive it and sync exactly once', async () => {
    const other = await world.counter('T-DORM');
    other.do([
      { kind: 'reject', studentNo: '2023000003', stepId: 'dorm-clearance', note: '钥匙未还' },
      { kind: 'pass', studentNo: '2023000002', stepId: 'dorm-clearance' },
    ]);
    await other.client.sync();

    const counter = await world.counter('T-CS');
    const service = createCounterService(counter.replica, { sync: counter.client });
    expect(studentNos(counter)).toEqual(['2023000001', '2023000002']);
    counter.do([{ kind: 'pass', studentNo: '2023000002', stepId: 'return-instruments' }]);
    await counter.client.sync();
    // Outside this counter's scope, after its last pull: the snapshot's seq is past the cursor.
    other.do([{ kind: 'pass', studentNo: '2023000004', stepId: 'dorm-clearance' }]);
    await other.client.sync();
    const cursorBefore = cursorOf(counter);
    // Left by the outgoing shift: the sign-in's round pushes it before it merges.
    counter.do([{ kind: 'pass', studentNo: '2023000001', stepId: 'party-transfer' }]);
    const outboxBefore = count(counter, 'outbox');
    const auditBefore = count(counter, 'audit_log');
    // The new operator works on while the snapshot downloads: a revoke of what the server holds
    // as passed, still pending when the merge commits.
    counter.client.onStatus((status) => {
      if (status.rosterMerge?.done !== 0 || count(counter, 'outbox') > outboxBefore) return;
      counter.do([{ kind: 'revoke', studentNo: '2023000002', stepId: 'dorm-clearance', note: '床位未清' }]);
    });

    // What the replica holds the moment the merge commits, before anything else of the round.
    const atMerge: { students: string[]; cursor: number; unacked: string[]; revoked: unknown }[] = [];
    counter.replica.changes.subscribe((event) => {
      if (event.source !== 'sync' || !event.studentNos.includes('2023000003') || atMerge.length > 0) return;
      atMerge.push({
        students: studentNos(counter),
        cursor: cursorOf(counter),
        unacked: counter.replica.sqlite.prepare('select kind from outbox where acked_at is null').pluck().all() as string[],
        revoked: counter.state('2023000002', 'dorm-clearance'),
      });
    });

    const answer = await signIn(service, 'T-DORM');
    expect(answer).toMatchObject({ offline: false, roster: 'merged', rosterError: null, session: { operator: { id: 'T-DORM' }, checkpointId: 'dorm' } });
    expect(resnapshotNeeded(counter.replica.sqlite)).toBe(false);
    // Nothing wrote after the snapshot was read: the round's pull found the cursor where the merge put it.
    const snapshotSeq = cursorOf(counter);
    expect(snapshotSeq).toBeGreaterThan(cursorBefore);
    expect(atMerge).toEqual([
      {
        students: ['2023000001', '2023000002', '2023000003', '2023000004'],
        cursor: snapshotSeq,
        unacked: ['revoke'],
        revoked: expect.objectContaining({ status: 'pending', version: 2, note: '床位未清' }),
      },
    ]);

    const found = await service.dispatch('students.lookup', { text: '2023000003' });
    expect(found).toMatchObject({ ok: true, value: { students: [{ studentNo: '2023000003', college: '机电工程学院' }] } });
    expect(counter.state('2023000003', 'dorm-clearance')).toMatchObject({ status: 'rejected', note: '钥匙未还', version: 1 });
    expect(counter.state('2023000004', 'dorm-clearance')).toMatchObject({ status: 'passed', version: 1 });
    expect(count(counter, 'outbox')).toBe(outboxBefore + 1);
    expect(count(counter, 'audit_log')).toBe(auditBefore + 1);

    const applied = await service.dispatch('steps.apply', { studentNo: '2023000003', stepId: 'dorm-clearance', action: 'pass', note: '已交钥匙' });
    expect(applied.ok).toBe(true);
    await counter.client.sync();
    await counter.client.sync();
    const stored = await world.serverOps(counter.deviceId);
    expect(stored.map((o) => [o.deviceSeq, o.operatorId, o.kind, o.studentNo, o.outcome])).toEqual([
      [1, 'T-CS', 'pass', '2023000002', 'applied'],
      [2, 'T-CS', 'pass', '2023000001', 'applied'],
      [3, 'T-DORM', 'revoke', '2023000002', 'applied'],
      [4, 'T-DORM', 'pass', '2023000003', 'applied'],
    ]);
    expect(new Set(stored.map((o) => o.opId)).size).toBe(stored.length);
    const server = await world.serverView();
    for (const key of ['2023000002/dorm-clearance', '2023000001/party-transfer', '2023000003/dorm-clearance']) {
      const [studentNo, stepId] = key.split('/') as [string, string];
      expect(counter.state(studentNo, stepId)).toMatchObject({ status: server.get(key)?.status, version: server.get(key)?.version });
    }
  });

  it('a merge cut short changes nothing, stays pending and completes on a later round', async () => {
    const counter = await world.counter('T-CS');
    // Without the sync client the sign-in only marks the merge as needed.
    const service = createCounterService(counter.replica);
    // Signing in again keeps a checkpoint the operator still holds, not their first one.
    expect(sessionOf(counter).grants.map((g) => g.checkpointId)).toEqual(['college', 'certificates']);
    await service.dispatch('session.setCheckpoint', { checkpointId: 'certificates' });
    expect(await signIn(service, 'T-CS')).toMatchObject({ roster: 'unchanged', session: { checkpointId: 'certificates' } });

    const answer = await signIn(service, 'T-STU');
    expect(answer).toMatchObject({ roster: 'pending', session: { operator: { id: 'T-STU' } } });
    expect(resnapshotNeeded(counter.replica.sqlite)).toBe(true);

    const full = await (await fetch(`${world.relay.url}/api/sync/snapshot`, { headers: { authorization: `Bearer ${tokenOf(counter.replica)}` } })).arrayBuffer();
    await world.relay.down();
    world.relay.responseBudget = Math.floor(full.byteLength * 0.8);
    await world.relay.up();
    try {
      await expect(counter.client.sync()).rejects.toThrow(/不完整|中断/);
    } finally {
      await world.relay.down();
      world.relay.responseBudget = null;
      await world.relay.up();
    }
    expect(studentNos(counter)).toEqual(['2023000001', '2023000002']);
    expect(resnapshotNeeded(counter.replica.sqlite)).toBe(true);
    expect(counter.client.status().lastError).toMatch(/不完整|中断/);

    await counter.client.sync();
    expect(studentNos(counter)).toEqual(['2023000001', '2023000002', '2023000003', '2023000004']);
    expect(resnapshotNeeded(counter.replica.sqlite)).toBe(false);
  });

  it('a resnapshot answer the counter never recorded is still acted on at the next sign-in', async () => {
    const counter = await world.counter('T-CS');
    const service = createCounterService(counter.replica, { sync: counter.client });
    // The server admits T-CERT and says resnapshot; the counter stopped before it wrote that down.
    const lost = await new SyncHttp(world.relay.url, tokenOf(counter.replica)).login({ operatorNo: 'T-CERT', password: PASSWORD });
    expect(lost.resnapshot).toBe(true);
    const answer = await signIn(service, 'T-CERT');
    expect(answer).toMatchObject({ roster: 'merged', session: { operator: { id: 'T-CERT' }, checkpointId: 'certificates' } });
    expect(studentNos(counter)).toEqual(['2023000001', '2023000002', '2023000003', '2023000004']);
  });

  it('offline: only an operator who signed in here before, with the password and grants of then', async () => {
    const relay = await world.ownRelay();
    const counter = await world.counter('T-DORM', {}, relay);
    const service = createCounterService(counter.replica, { sync: counter.client });
    await signIn(service, 'T-STU');
    const stored = (counter.replica.sqlite.prepare("select value from meta where key = 'knownOperators'").get() as { value: string }).value;
    expect(stored).not.toContain(PASSWORD);
    expect(Object.keys(JSON.parse(stored) as object).sort()).toEqual(['T-DORM', 'T-STU']);
    expect(stored).toMatch(/"passwordHash":"scrypt\$16384\$8\$1\$/);

    await relay.down();
    const never = await service.dispatch('session.signIn', { operatorNo: 'T-CERT', password: PASSWORD });
    expect(never).toMatchObject({ ok: false, error: { code: 'refused', message: expect.stringMatching(/T-CERT 在本柜台没有可用的离线登录记录/) } });
    const wrong = await service.dispatch('session.signIn', { operatorNo: 'T-DORM', password: 'not-it' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'unauthorized', message: expect.stringMatching(/工号或密码错误/) } });
    expect(sessionOf(counter).operator).toBe('T-STU');
    // The server's rule offline too: five wrong passwords lock the 工号, even for the right one.
    for (let i = 0; i < 5; i++) {
      expect(await service.dispatch('session.signIn', { operatorNo: 'T-STU', password: `guess-${i}` })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    }
    const locked = await service.dispatch('session.signIn', { operatorNo: 'T-STU', password: PASSWORD });
    expect(locked).toMatchObject({ ok: false, error: { code: 'refused', message: expect.stringMatching(/错误次数过多，请在 15 分钟后再试/) } });

    const offline = await signIn(service, 'T-DORM');
    expect(offline).toMatchObject({ offline: true, roster: 'unchanged', session: { operator: { id: 'T-DORM', name: '宿管员' }, checkpointId: 'dorm' } });
    expect(sessionOf(counter).grants).toEqual([{ checkpointId: 'dorm', colleges: 'all' }]);
    const applied = await service.dispatch('steps.apply', { studentNo: '2023000002', stepId: 'dorm-clearance', action: 'pass' });
    expect(applied.ok).toBe(true);

    await relay.up();
    await counter.client.sync();
    const ops = await world.serverOps(counter.deviceId);
    expect(ops.map((o) => [o.operatorId, o.studentNo, o.outcome])).toEqual([['T-DORM', '2023000002', 'applied']]);
  });
});
