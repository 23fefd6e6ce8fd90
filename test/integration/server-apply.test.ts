import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { Op, OpKind } from '../../src-shared/contract/ops';
import { authenticateDevice, type AuthenticatedDevice } from '../../src-server/auth/device-auth';
import { admitOperator, registerDevice } from '../../src-server/auth/devices';
import { pushOps, PushRefused } from '../../src-server/apply/push-ops';
import { ApplySession } from '../../src-server/apply/apply-op';
import { applyIntegrationOp, ServerOpSource } from '../../src-server/apply/server-ops';
import { storeRoster } from '../../src-server/admin/roster-store';
import { conflicts, devices, ops, rosterChanges, stepStates, students, waivers } from '../../src-server/db/schema';
import { BatchCache } from '../../src-server/sync/batch-cache';
import { currentSeq } from '../../src-server/sync/seq';
import { BACKENDS, openThrowawayDatabase, type ThrowawayDatabase } from '../../src-server/testing/throwaway-database';
import { seedSmallWorld, student } from '../../src-server/testing/fixtures';

const CS1 = '2023000001';
const CS2 = '2023000002';
const ME3 = '2023000003';

describe.each(BACKENDS)('apply path on %s', (backend) => {
  let database: ThrowawayDatabase;
  const batches = new BatchCache();
  let batchId: string;

  beforeAll(async () => {
    database = await openThrowawayDatabase(backend);
    ({ batchId } = await seedSmallWorld(database.db, batches));
  });
  afterAll(async () => {
    await database?.close();
  });

  /** A registered counter with its own op numbering, admitting extra operators as asked. */
  async function counter(operatorNo: string, ...others: string[]) {
    const { token } = await registerDevice(database.db, operatorNo, `柜台-${operatorNo}`, batchId);
    for (const o of others) await admitOperator(database.db, (await auth(token)).id, o);
    let next = 1;
    const device = await auth(token);
    return {
      device,
      op(kind: OpKind, studentNo: string, stepId: string, base: number, operatorId = operatorNo, note = ''): Op {
        return {
          opId: uuidv7(),
          deviceId: device.id,
          deviceSeq: next++,
          operatorId,
          kind,
          studentNo,
          stepId,
          args: { note },
          base: { version: base },
          clientTime: new Date().toISOString(),
        };
      },
      push: (list: Op[]) => pushOps(database.db, batches, device, list),
    };
  }

  async function auth(token: string): Promise<AuthenticatedDevice> {
    const device = await authenticateDevice(database.db, token);
    if (typeof device === 'string') throw new Error(device);
    return device;
  }

  async function stateOf(studentNo: string, stepId: string) {
    const [row] = await database.db
      .select()
      .from(stepStates)
      .where(and(eq(stepStates.batchId, batchId), eq(stepStates.studentNo, studentNo), eq(stepStates.stepId, stepId)));
    return row;
  }

  async function opCount() {
    const [row] = await database.db.select({ n: count() }).from(ops);
    return row?.n ?? 0;
  }

  it('applies a pass, bumps the global seq and answers a retry with the stored outcome', async () => {
    const c = await counter('T-DORM');
    const before = await currentSeq(database.db);
    const op = c.op('pass', CS1, 'dorm-clearance', 0);
    const first = await c.push([op]);
    expect(first.results[0]).toMatchObject({ outcome: 'applied', applied: true, version: 1, duplicate: false });
    expect(first.serverSeq).toBeGreaterThan(before);
    expect(await stateOf(CS1, 'dorm-clearance')).toMatchObject({ status: 'passed', version: 1, updatedByName: '宿管员' });

    const ops0 = await opCount();
    const seq0 = await currentSeq(database.db);
    const retry = await c.push([op]);
    expect(retry.results[0]).toEqual({ ...first.results[0], duplicate: true });
    expect(await opCount()).toBe(ops0);
    expect(await currentSeq(database.db)).toBe(seq0);
  });

  it('refuses a deviceSeq gap and stores nothing of that push', async () => {
    const c = await counter('T-DORM');
    const one = c.op('pass', CS2, 'dorm-clearance', 0);
    c.op('pass', ME3, 'dorm-clearance', 0); // numbered 2 but never sent: lost from the push
    const three = c.op('pass', ME3, 'dorm-clearance', 0);
    const ops0 = await opCount();
    const refusal = await c.push([one, three]).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(PushRefused);
    expect(refusal).toMatchObject({ code: 'seq_gap', expectedDeviceSeq: 2 });
    expect((refusal as Error).message).toContain('设备序号不连续');
    expect(await opCount()).toBe(ops0);
    expect(await stateOf(CS2, 'dorm-clearance')).toBeUndefined();
    const [row] = await database.db.select().from(devices).where(eq(devices.id, c.device.id));
    expect(row?.lastSeq).toBe(0);
  });

  it('refuses an op id reused with different content, and a deviceSeq reused by another op', async () => {
    const c = await counter('T-STU');
    const op = c.op('pass', CS1, 'return-student-card', 0);
    await c.push([op]);
    await expect(c.push([{ ...op, stepId: 'origin-loan' }])).rejects.toMatchObject({ code: 'op_mismatch' });
    await expect(c.push([{ ...op, opId: uuidv7() }])).rejects.toMatchObject({ code: 'op_mismatch' });
  });

  it('rejects, and stores with a Chinese reason, ops out of scope or about unknown students and steps', async () => {
    const c = await counter('T-CS', 'T-DORM');
    const results = (
      await c.push([
        c.op('pass', ME3, 'return-instruments', 0),
        c.op('pass', CS1, 'return-student-card', 0, 'T-DORM'),
        c.op('pass', '2099999999', 'return-instruments', 0),
        c.op('pass', CS1, 'no-such-step', 0),
        c.op('pass', CS1, 'dorm-clearance', 0, 'T-STU'),
        c.op('pass', CS2, 'return-instruments', 0),
      ])
    ).results;
    expect(results.map((r) => r.outcome)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'applied']);
    expect(results[0]?.reason).toBe('该学生不属于您负责的学院，不能办理');
    expect(results[1]?.reason).toContain('没有「学生工作处离校点」的办理权限');
    expect(results[2]?.reason).toBe('未找到学号为 2099999999 的学生');
    expect(results[3]?.reason).toContain('no-such-step');
    expect(results[4]?.reason).toContain('没有在此设备上登录');
    const stored = await database.db.select().from(ops).where(eq(ops.deviceId, c.device.id));
    expect(stored).toHaveLength(6);
    expect(await stateOf(ME3, 'return-instruments')).toBeUndefined();
  });

  it('refuses counter writes to auto steps, and lets an integration write its own steps only', async () => {
    const c = await counter('T-LIB');
    const [r] = (await c.push([c.op('pass', CS1, 'return-books', 0)])).results;
    expect(r).toMatchObject({ outcome: 'rejected', reason: '此环节由其他系统自动同步，柜台无需办理' });
    const library = { kind: 'integration' as const, name: '图书馆系统', stepIds: new Set(['return-books']) };
    const [own, other] = await database.db.transaction(async (tx) => {
      const session = new ApplySession(tx, (await batches.get(tx, batchId))!);
      const source = await ServerOpSource.open(tx, 'integration:library');
      const base = { studentNo: CS1, kind: 'pass' as const, note: '', time: new Date().toISOString() };
      return [
        await applyIntegrationOp(tx, session, library, source, { ...base, opId: uuidv7(), stepId: 'return-books' }),
        await applyIntegrationOp(tx, session, library, source, { ...base, opId: uuidv7(), stepId: 'repay-debt' }),
      ];
    });
    expect(own).toMatchObject({ outcome: 'applied', applied: true, deviceSeq: 1 });
    expect(other).toMatchObject({ outcome: 'rejected', deviceSeq: 2 });
    expect(other?.reason).toContain('无权写入环节「缴还欠款」');
    expect(await stateOf(CS1, 'return-books')).toMatchObject({ status: 'passed', updatedByName: '图书馆系统' });
  });

  describe('concurrent pass and revoke on one step with the same base: revoke wins', () => {
    it('when the revoke arrives first, the pass is stored as a conflict and not applied', async () => {
      const a = await counter('T-STU');
      const b = await counter('T-STU');
      await a.push([a.op('reject', ME3, 'return-student-card', 0, 'T-STU', '学生证遗失')]);
      const revoke = b.op('revoke', ME3, 'return-student-card', 1);
      const pass = a.op('pass', ME3, 'return-student-card', 1);
      expect((await b.push([revoke])).results[0]).toMatchObject({ outcome: 'applied', version: 2 });
      const [result] = (await a.push([pass])).results;
      expect(result).toMatchObject({ outcome: 'conflict', applied: false, version: null });
      expect(result?.reason).toContain('撤销优先');
      expect(await stateOf(ME3, 'return-student-card')).toMatchObject({ status: 'pending', version: 2 });
      const [conflict] = await database.db.select().from(conflicts).where(eq(conflicts.id, result!.conflictId!));
      expect(conflict).toMatchObject({ kind: 'pass_revoke', winningOpId: revoke.opId, flaggedOpId: pass.opId, resolved: false });
    });

    it('when the pass arrives first, the revoke is applied anyway and the conflict names both', async () => {
      const a = await counter('T-STU');
      const b = await counter('T-STU');
      const student = '2023000004';
      await a.push([a.op('reject', student, 'return-student-card', 0, 'T-STU', '学生证遗失')]);
      const pass = a.op('pass', student, 'return-student-card', 1);
      const revoke = b.op('revoke', student, 'return-student-card', 1);
      expect((await a.push([pass])).results[0]).toMatchObject({ outcome: 'applied', version: 2 });
      const [result] = (await b.push([revoke])).results;
      expect(result).toMatchObject({ outcome: 'conflict', applied: true, version: 3 });
      expect(await stateOf(student, 'return-student-card')).toMatchObject({ status: 'pending', version: 3 });
      const [conflict] = await database.db.select().from(conflicts).where(eq(conflicts.id, result!.conflictId!));
      expect(conflict).toMatchObject({ kind: 'pass_revoke', winningOpId: revoke.opId, flaggedOpId: pass.opId });
    });
  });

  it('records a pass whose prerequisite was revoked meanwhile, applied and flagged', async () => {
    const prereqs = ['return-instruments', 'return-books', 'return-student-card', 'electricity', 'dorm-clearance', 'repay-debt'];
    await storeRoster(database.db, batches, batchId, [], prereqs.map((stepId) => ({ studentNo: CS2, stepId, status: 'passed' as const })));
    const cert = await counter('T-CERT');
    const offlinePass = cert.op('pass', CS2, 'degree-cert', 0); // made while every prerequisite was passed
    const dorm = await counter('T-DORM');
    const version = (await stateOf(CS2, 'dorm-clearance'))!.version;
    const revoke = dorm.op('revoke', CS2, 'dorm-clearance', version, 'T-DORM', '宿舍物品未清');
    await dorm.push([revoke]);
    const [result] = (await cert.push([offlinePass])).results;
    expect(result).toMatchObject({ outcome: 'conflict', applied: true, version: 1 });
    expect(result?.reason).toContain('宿管中心离校点: 清理宿舍物品');
    expect(await stateOf(CS2, 'degree-cert')).toMatchObject({ status: 'passed' });
    const [conflict] = await database.db.select().from(conflicts).where(eq(conflicts.id, result!.conflictId!));
    expect(conflict).toMatchObject({ kind: 'prerequisite_revoked', winningOpId: revoke.opId, flaggedOpId: offlinePass.opId });
  });

  it('names the newest revoke among all missing prerequisites, however the ops were grouped into pushes', async () => {
    const prereqs = ['return-instruments', 'return-books', 'return-student-card', 'electricity', 'dorm-clearance', 'repay-debt'];
    const [together, apart] = ['2023000021', '2023000022'];
    await storeRoster(
      database.db,
      batches,
      batchId,
      [together, apart].map((no) => student(no, '机电工程学院')),
      [together, apart].flatMap((studentNo) => prereqs.map((stepId) => ({ studentNo, stepId, status: 'passed' as const }))),
    );
    /** The step list names 学生工作处 before 宿管中心; the newer revoke is of the later-listed step. */
    const opsFor = async (c: Awaited<ReturnType<typeof counter>>, studentNo: string) => [
      c.op('revoke', studentNo, 'return-student-card', (await stateOf(studentNo, 'return-student-card'))!.version, 'T-STU', '学生证未交'),
      c.op('revoke', studentNo, 'dorm-clearance', (await stateOf(studentNo, 'dorm-clearance'))!.version, 'T-DORM', '宿舍物品未清'),
      c.op('pass', studentNo, 'degree-cert', 0, 'T-CERT'),
    ];
    const conflictOf = async (flaggedOpId: string) =>
      (await database.db.select().from(conflicts).where(eq(conflicts.flaggedOpId, flaggedOpId)))[0];

    const one = await counter('T-CERT', 'T-STU', 'T-DORM');
    const oneOps = await opsFor(one, together);
    const oneResults = (await one.push(oneOps)).results;
    expect(oneResults.map((r) => [r.outcome, r.applied])).toEqual([['applied', true], ['applied', true], ['conflict', true]]);
    expect(await conflictOf(oneOps[2]!.opId)).toMatchObject({ kind: 'prerequisite_revoked', stepId: 'degree-cert', winningOpId: oneOps[1]!.opId });

    const three = await counter('T-CERT', 'T-STU', 'T-DORM');
    const threeOps = await opsFor(three, apart);
    for (const op of threeOps) await three.push([op]);
    const apartConflict = await conflictOf(threeOps[2]!.opId);
    expect(apartConflict).toMatchObject({ kind: 'prerequisite_revoked', stepId: 'degree-cert', winningOpId: threeOps[1]!.opId });
    expect(apartConflict!.detail).toBe((await conflictOf(oneOps[2]!.opId))!.detail);
  });

  it('lifts and re-imposes a restriction, and refuses to lift a passed step', async () => {
    const c = await counter('T-DORM');
    const results = (
      await c.push([
        c.op('lift', ME3, 'dorm-clearance', 0, 'T-DORM', '缓交'),
        c.op('lift', ME3, 'dorm-clearance', 0),
        c.op('impose', ME3, 'dorm-clearance', 0),
        c.op('lift', CS1, 'dorm-clearance', 0),
      ])
    ).results;
    expect(results.map((r) => [r.outcome, r.applied])).toEqual([
      ['applied', true],
      ['applied', false],
      ['applied', true],
      ['rejected', false],
    ]);
    expect(results[3]?.reason).toBe('此环节已通过，不能再调整限制');
    const [waiver] = await database.db
      .select()
      .from(waivers)
      .where(and(eq(waivers.studentNo, ME3), eq(waivers.stepId, 'dorm-clearance')));
    expect(waiver).toMatchObject({ lifted: false, version: 2 });
    expect(results.map((r) => r.version)).toEqual([1, null, 2, null]);
  });

  /** Every seq a row now carries, in every table a reader pulls by seq. */
  async function storedSeqs(): Promise<number[]> {
    const tables = [ops, stepStates, conflicts, waivers, students, rosterChanges];
    const all = await Promise.all(tables.map((t) => database.db.select({ seq: t.seq }).from(t)));
    return all.flat().map((r) => r.seq);
  }

  it('numbers every stored row with a distinct seq, never skipping one', async () => {
    const fresh = '2023000077';
    await storeRoster(database.db, batches, batchId, [student(fresh, '机电工程学院')]);
    const c = await counter('T-STU', 'T-DORM');
    // One op per push, so no row is written twice in a push and every seq a push takes stays on a row.
    const single = [
      c.op('reject', fresh, 'return-student-card', 0, 'T-STU', '学生证未交'),
      c.op('pass', fresh, 'return-student-card', 1),
      c.op('revoke', fresh, 'return-student-card', 1, 'T-STU', '复查'),
      c.op('pass', '2099000000', 'return-student-card', 0),
      c.op('lift', fresh, 'dorm-clearance', 0, 'T-DORM', '缓交'),
    ];
    const outcomes: string[] = [];
    for (const op of single) {
      const before = await currentSeq(database.db);
      const known = new Set(await storedSeqs());
      const [result] = (await c.push([op])).results;
      outcomes.push(result!.outcome);
      const after = await currentSeq(database.db);
      const taken = (await storedSeqs()).filter((seq) => !known.has(seq)).sort((a, b) => a - b);
      // A reader paging by seq sees every number the counter took: none skipped, none shared.
      expect(taken).toEqual(Array.from({ length: after - before }, (_, i) => before + 1 + i));
      expect(taken.length).toBeGreaterThan(0);
    }
    expect(outcomes).toEqual(['applied', 'applied', 'conflict', 'rejected', 'applied']);
    const seqs = await storedSeqs();
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(Math.max(...seqs)).toBe(await currentSeq(database.db));
  });
});
