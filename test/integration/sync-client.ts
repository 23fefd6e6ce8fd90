import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCounterService } from '../../src-main/counter/service';
import { openReplica, readSession, writeSession } from '../../src-main/db';
import { SyncHttp } from '../../src-main/sync/server-http';
import { unackedOps } from '../../src-main/db/outbox';
import { applyPulledPage } from '../../src-main/db/pulled-rows';
import type { Backend } from '../../src-server/testing/throwaway-database';
import { killHard, startCounterProcess } from './processes';
import { eventually, localView, SyncWorld, tokenOf, type Counter } from './sync-world';

const CS1 = '2023000001';
const CS2 = '2023000002';
const ME3 = '2023000003';
const DORM = 'dorm-clearance';

/** One engine per test file, so each stays within its budget. */
export function syncClient(backend: Backend): void {
  describe(`sync client against a real server on ${backend}`, () => {
    const world = new SyncWorld(backend);

    beforeAll(() => world.start());
    afterAll(() => world.stop());

    /** Brings the step to passed on the server and on every given counter. */
    async function ensurePassed(a: Counter, studentNo: string, stepId: string, ...others: Counter[]) {
      await a.client.sync();
      if (a.state(studentNo, stepId).status !== 'passed') {
        a.do([{ kind: 'pass', studentNo, stepId }]);
        await a.client.sync();
      }
      for (const c of others) await c.client.sync();
      for (const c of [a, ...others]) expect(c.state(studentNo, stepId).status).toBe('passed');
    }

    /** Both ways: every local row as the server has it, and every server row on every counter. */
    async function expectConverged(...counters: { replica: Parameters<typeof localView>[0] }[]) {
      const server = await world.serverView();
      for (const c of counters) {
        const local = localView(c.replica);
        for (const [key, row] of local) {
          expect({ key, ...row }).toEqual({ key, ...(server.get(key) ?? { status: 'pending', version: 0, note: '' }) });
        }
        for (const [key, row] of server) expect({ key, ...local.get(key) }).toEqual({ key, ...row });
      }
    }

    it('a pass on counter A reaches counter B by the server\'s nudge, not by B\'s pull interval', async () => {
      const a = await world.counter('T-DORM');
      // B's interval never fires within the test: only the nudge can bring A's pass.
      const b = await world.counter('T-DORM', { pullIntervalMs: 3_600_000 });
      a.client.start();
      b.client.start();
      await eventually(() => expect(b.client.status().state).toBe('online'));
      const heard: string[][] = [];
      b.replica.changes.subscribe((e) => e.source === 'sync' && heard.push(e.studentNos));
      a.do([{ kind: 'pass', studentNo: CS1, stepId: DORM }]);
      await eventually(() => expect(b.state(CS1, DORM).status).toBe('passed'), 30_000, 10);
      expect(heard.flat()).toContain(CS1);
      await eventually(() => expect(a.client.status()).toMatchObject({ state: 'online', unsent: 0, lastError: null, stale: false }));
      await expectConverged(a, b);
      await a.client.stop();
      await b.client.stop();
    });

    it('offline work queues and drains with nothing lost and nothing duplicated', async () => {
      const a = await world.counter('T-STU');
      const b = await world.counter('T-STU');
      await world.relay.down();
      a.do([{ kind: 'pass', studentNo: CS1, stepId: 'return-student-card' }]);
      a.do([{ kind: 'pass', studentNo: CS2, stepId: 'return-student-card' }]);
      a.do([{ kind: 'reject', studentNo: ME3, stepId: 'return-student-card', note: '学生证丢失' }]);
      await expect(a.client.sync()).rejects.toThrow();
      const offline = a.client.status();
      expect(offline.state).toBe('offline');
      expect(offline.unsent).toBe(3);
      expect(offline.lastError).toMatch(/无法连接服务器/);
      // The operator keeps working offline, and sees their own work.
      a.do([{ kind: 'revoke', studentNo: CS2, stepId: 'return-student-card', note: '办错了' }]);
      expect(a.state(CS2, 'return-student-card')).toMatchObject({ status: 'pending', version: 2 });
      await world.relay.up();
      await a.client.sync();
      expect(a.client.status()).toMatchObject({ state: 'online', unsent: 0, lastError: null });
      const stored = await world.serverOps(a.deviceId);
      expect(stored.map((o) => [o.deviceSeq, o.kind, o.studentNo, o.outcome])).toEqual([
        [1, 'pass', CS1, 'applied'],
        [2, 'pass', CS2, 'applied'],
        [3, 'reject', ME3, 'applied'],
        [4, 'revoke', CS2, 'applied'],
      ]);
      await b.client.sync();
      expect(b.state(ME3, 'return-student-card')).toMatchObject({ status: 'rejected', note: '学生证丢失' });
      await expectConverged(a, b);
    });

    it('a push whose answer was lost after the server committed is sent again and stays idempotent', async () => {
      const a = await world.counter('T-DORM');
      a.do([{ kind: 'pass', studentNo: CS2, stepId: DORM }]);
      a.do([{ kind: 'pass', studentNo: ME3, stepId: DORM }]);
      // The server commits the batch; the counter never hears the answer.
      const api = new SyncHttp(world.relay.url, tokenOf(a.replica));
      await api.push(unackedOps(a.replica.sqlite, 100));
      a.do([{ kind: 'revoke', studentNo: ME3, stepId: DORM, note: '宿舍未清理' }]);
      await a.client.sync();
      const stored = await world.serverOps(a.deviceId);
      expect(stored.map((o) => o.deviceSeq)).toEqual([1, 2, 3]);
      expect(a.client.status().unsent).toBe(0);
      const outcomes = a.replica.sqlite.prepare('select device_seq, outcome from outbox order by device_seq').all();
      expect(outcomes).toEqual([
        { device_seq: 1, outcome: 'applied' },
        { device_seq: 2, outcome: 'applied' },
        { device_seq: 3, outcome: 'applied' },
      ]);
      await expectConverged(a);
    });

    it('a pull never overwrites a pending local change', async () => {
      const a = await world.counter('T-DORM');
      const b = await world.counter('T-DORM');
      await ensurePassed(a, CS1, DORM, b);
      b.do([{ kind: 'revoke', studentNo: CS1, stepId: DORM, note: '复查' }]);
      await b.client.sync();
      a.do([{ kind: 'revoke', studentNo: CS1, stepId: DORM, note: '本柜台撤销' }]);
      // A pull lands while A's revoke is still unacknowledged: the server row is underneath, A's op on top.
      const page = await new SyncHttp(world.relay.url, tokenOf(a.replica)).pull(0, 5000);
      applyPulledPage(a.replica.sqlite, a.replica.batch, page, new Date().toISOString());
      expect(a.state(CS1, DORM)).toMatchObject({ status: 'pending', note: '本柜台撤销' });
      expect(a.client.status().unsent).toBe(1);
      // The server finds the step already revoked: A's op is stored, changes nothing, and A shows the server's row.
      await a.client.sync();
      expect(a.state(CS1, DORM)).toMatchObject({ status: 'pending', note: '复查' });
      await b.client.sync();
      await expectConverged(a, b);
    });

    it('pass vs revoke: the revoke wins and the conflict record reaches both counters', async () => {
      const a = await world.counter('T-DORM');
      const b = await world.counter('T-DORM');
      await ensurePassed(a, CS2, DORM, b);
      // B is cut off and revokes on what it saw; meanwhile A revokes and passes again.
      b.do([{ kind: 'revoke', studentNo: CS2, stepId: DORM, note: '物品未清' }]);
      a.do([{ kind: 'revoke', studentNo: CS2, stepId: DORM, note: '重办' }]);
      a.do([{ kind: 'pass', studentNo: CS2, stepId: DORM }]);
      await a.client.sync();
      await b.client.sync();
      await a.client.sync();
      const bOp = b.replica.sqlite.prepare('select op_id, outcome, outcome_reason from outbox order by device_seq desc limit 1').get() as {
        op_id: string;
        outcome: string;
        outcome_reason: string;
      };
      expect(bOp.outcome).toBe('conflict');
      for (const c of [a, b]) {
        expect(c.state(CS2, DORM).status).toBe('pending');
        const conflicts = c.replica.sqlite.prepare('select kind, winning_op_id, flagged_op_id from conflicts where student_no = ?').all(CS2);
        expect(conflicts).toContainEqual(expect.objectContaining({ kind: 'pass_revoke', winning_op_id: bOp.op_id }));
      }
      await expectConverged(a, b);

      // The panel names both ops (B's own in full) and lets the supervisor mark the conflict as dealt with.
      const service = createCounterService(b.replica, { sync: b.client });
      const listed = await service.call('sync.conflicts', {});
      const item = listed.conflicts.find((c) => c.winning?.opId === bOp.op_id)!;
      expect(item).toMatchObject({ kind: 'pass_revoke', resolved: false, winning: { local: true, kind: 'revoke', note: '物品未清' }, flagged: { local: false } });
      const after = await service.call('sync.resolveConflict', { id: item.id });
      expect(after.conflicts.find((c) => c.id === item.id)?.resolved).toBe(true);
      await a.client.sync();
      expect(a.replica.sqlite.prepare('select resolved from conflicts where id = ?').get(item.id)).toEqual({ resolved: 1 });
    });

    it('an op the server rejects is stored with its reason and rolled back to the server row, never dropped', async () => {
      const a = await world.counter('T-DORM');
      // A stale session: this counter still believes its operator holds 水电中心.
      const session = readSession(a.replica.sqlite, a.replica.batch);
      writeSession(a.replica.sqlite, { ...session, grants: [...session.grants, { checkpointId: 'utilities', colleges: 'all' }] });
      a.do([{ kind: 'pass', studentNo: CS1, stepId: 'electricity' }]);
      expect(a.state(CS1, 'electricity').status).toBe('passed');
      await a.client.sync();
      const row = a.replica.sqlite.prepare("select outcome, outcome_reason, acked_at from outbox where step_id = 'electricity'").get() as {
        outcome: string;
        outcome_reason: string;
        acked_at: string;
      };
      expect(row.outcome).toBe('rejected');
      expect(row.outcome_reason).toMatch(/[\u4e00-\u9fa5]/);
      expect(row.acked_at).not.toBeNull();
      expect(a.state(CS1, 'electricity')).toMatchObject({ status: 'pending', version: 0 });
      const stored = await world.serverOps(a.deviceId);
      expect(stored.map((o) => o.outcome)).toEqual(['rejected']);
    });

    it('a crash between the local commit and the push loses nothing', async () => {
      const relay = await world.ownRelay();
      const a = await world.counter('T-DORM', {}, relay);
      const path = a.replica.path;
      a.replica.close();
      // The counter back end as the app runs it, cut off from the server, so no push can leave before the kill.
      await relay.down();
      const counter = await startCounterProcess(path);
      try {
        await counter.call('steps.apply', { studentNo: '2023000004', stepId: DORM, action: 'pass' });
      } finally {
        await killHard(counter.child);
      }
      expect(counter.child.signalCode).toBe('SIGKILL');
      expect(await world.serverOps(a.deviceId)).toEqual([]);
      await relay.up();
      const again = world.wrap(openReplica(path), {}, relay);
      expect(again.client.status().unsent).toBe(1);
      await again.client.sync();
      expect(again.client.status().unsent).toBe(0);
      const stored = await world.serverOps(again.deviceId);
      expect(stored.map((o) => [o.deviceSeq, o.kind, o.studentNo, o.outcome])).toEqual([[1, 'pass', '2023000004', 'applied']]);
      const outbox = again.replica.sqlite.prepare('select device_seq, op_id, outcome from outbox order by device_seq').all();
      expect(outbox).toEqual(stored.map((o) => ({ device_seq: o.deviceSeq, op_id: o.opId, outcome: o.outcome })));
      expect(again.state('2023000004', DORM)).toMatchObject({ status: 'passed' });
      await expectConverged(again);
    });
  });
}
