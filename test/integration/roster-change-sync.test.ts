import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSession } from '../../src-main/db';
import { createCounterService } from '../../src-main/counter/service';
import { changeStandingOf } from '../../src-server/admin/roster-withdrawal';
import { storeRoster } from '../../src-server/admin/roster-store';
import { rosterChanges, students } from '../../src-server/db/schema';
import { demoBatchDefinition, student } from '../../src-server/testing/fixtures';
import { BACKENDS } from '../../src-server/testing/throwaway-database';
import type { StepDef } from '../../src-shared/domain/types';
import { localView, SyncWorld, type Counter } from './sync-world';
import { wholeChaseList } from './chase-pages';

/**
 * Mid-season roster changes (issue 24) on both engines: a college-scoped counter (T-CS,
 * 计算机学院), a school-wide one (T-DORM) and a second 计算机学院 counter that is offline while
 * the roster changes. Students move between colleges, one is withdrawn and restored; after each
 * change the counters' statistics, daily report and chase list equal a plain SQL recount of the
 * server's tables.
 */

const CS = '计算机学院';
const ME = '机电工程学院';
const [S1, S2, S3, S4] = ['2023000001', '2023000002', '2023000003', '2023000004'];

const def = demoBatchDefinition();
const allSteps = def.checkpoints.flatMap((c) => c.steps);
const counted = (step: StepDef) => def.completionRule === 'all' || step.required;
const applies = (step: StepDef) => (step.appliesTo === 'all' ? 'true' : `coalesce((s.flags->>'${step.appliesTo.flag}')::boolean, false)`);
const open = (step: StepDef) =>
  `(${applies(step)} and coalesce((select t.status from step_states t where t.batch_id = s.batch_id and t.student_no = s.student_no and t.step_id = '${step.id}'), 'pending') <> 'passed')`;
const any = (parts: string[]) => (parts.length > 0 ? parts.map((p) => `(${p})`).join(' or ') : 'false');

interface Line {
  total: number;
  unfinished: number;
  previousTotal: number;
  previousUnfinished: number;
}

describe.each(BACKENDS)('roster changes reach every counter on %s', (backend) => {
  const world = new SyncWorld(backend);
  let cs: Counter;
  let dorm: Counter;
  let csOffline: Counter;
  let offlineRelay: Awaited<ReturnType<SyncWorld['ownRelay']>>;

  /** The server's truth, counted in SQL from its tables: no report code involved. */
  async function recount(colleges: 'all' | string[], checkpointId: string) {
    const cp = def.checkpoints.find((c) => c.id === checkpointId)!;
    const inColleges = colleges === 'all' ? 'true' : `s.college in (${colleges.map((c) => `'${c}'`).join(', ')})`;
    const line = (appliesTo: string, isOpen: string) => [
      `count(*) filter (where not s.is_previous and (${appliesTo}))::int`,
      `count(*) filter (where not s.is_previous and (${appliesTo}) and (${isOpen}))::int`,
      `count(*) filter (where s.is_previous and (${appliesTo}))::int`,
      `count(*) filter (where s.is_previous and (${appliesTo}) and (${isOpen}))::int`,
    ];
    const columns = [
      'count(*) filter (where not s.is_previous)::int',
      `count(*) filter (where not s.is_previous and (${any(allSteps.filter(counted).map(open))}))::int`,
      ...line(any(cp.steps.map(applies)), any(cp.steps.filter(counted).map(open))),
      ...cp.steps.flatMap((step) => line(applies(step), open(step))),
      `coalesce(string_agg(s.student_no, ',' order by s.student_no) filter (where (${any(cp.steps.map(applies))}) and (${any(cp.steps.filter(counted).map(open))})), '')`,
    ];
    const query = `select ${columns.map((c, i) => `${c} as c${i}`).join(', ')}
      from students s where s.batch_id = '${world.batchId}' and s.withdrawn_reason is null and ${inColleges}`;
    const result = (await world.server.database.db.execute(sql.raw(query))) as unknown as { rows: Record<string, number | string>[] };
    const values = columns.map((_, i) => result.rows[0]![`c${i}`]!);
    const toLine = (at: number): Line => ({
      total: values[at] as number,
      unfinished: values[at + 1] as number,
      previousTotal: values[at + 2] as number,
      previousUnfinished: values[at + 3] as number,
    });
    const chased = values.at(-1) as string;
    return {
      school: { total: values[0] as number, unfinished: values[1] as number },
      checkpoint: toLine(2),
      steps: cp.steps.map((step, i) => ({ id: step.id, ...toLine(6 + 4 * i) })),
      chased: chased === '' ? [] : chased.split(','),
    };
  }

  /** stats.checkpoint, the daily report and the chase list of the counter equal the recount. */
  async function expectTrueCounts(counter: Counter, colleges: 'all' | string[]) {
    const service = createCounterService(counter.replica);
    const { checkpointId } = readSession(counter.replica.sqlite, counter.replica.batch);
    const truth = await recount(colleges, checkpointId);
    const stats = service.call('stats.checkpoint', {});
    const pick = ({ total, unfinished, previousTotal, previousUnfinished }: Line): Line => ({ total, unfinished, previousTotal, previousUnfinished });
    expect(stats.school).toEqual(truth.school);
    expect(pick(stats.checkpoint)).toEqual(truth.checkpoint);
    expect(stats.steps.map((l) => ({ id: l.id, ...pick(l) }))).toEqual(truth.steps);
    const daily = service.call('reports.daily', {});
    expect(daily.checkpoint).toEqual(truth.checkpoint);
    expect(daily.unfinishedByClass.reduce((n, c) => n + c.unfinished + c.previousUnfinished, 0)).toBe(truth.checkpoint.unfinished + truth.checkpoint.previousUnfinished);
    expect(daily.steps.map((s) => ({ id: s.id, total: s.current.total, unfinished: s.current.unfinished }))).toEqual(
      truth.steps.map((s) => ({ id: s.id, total: s.total, unfinished: s.unfinished })),
    );
    expect(wholeChaseList(service, {}).students.map((s) => s.studentNo).sort()).toEqual(truth.chased);
    return truth;
  }

  function standing(counter: Counter, studentNo: string) {
    return createCounterService(counter.replica).call('students.detail', { studentNo }).standing;
  }

  function searched(counter: Counter): string[] {
    return createCounterService(counter.replica)
      .call('students.search', { limit: 50, offset: 0, prereq: 'all', current: 'all', completion: 'all' } as never)
      .rows.map((r) => r.studentNo);
  }

  function rejectedOps(counter: Counter) {
    return createCounterService(counter.replica).call('sync.conflicts', {}).rejected.map((r) => ({ studentNo: r.studentNo, reason: r.reason }));
  }

  async function settle() {
    for (const c of [cs, dorm]) await c.client.sync();
    for (const c of [cs, dorm]) await c.client.sync();
    expect(localView(cs.replica).size).toBeGreaterThan(0);
  }

  async function fullRoster(moves: Record<string, string>) {
    const roster = [
      student(S1, moves[S1] ?? CS, { flags: { 党团员: true } }),
      student(S2, moves[S2] ?? CS),
      student(S3, moves[S3] ?? ME),
      student(S4, moves[S4] ?? ME, { isPrevious: true }),
    ];
    return storeRoster(world.server.database.db, world.server.batches, world.batchId, roster, [], { by: '测试管理员' });
  }

  beforeAll(async () => {
    await world.start();
    cs = await world.counter('T-CS');
    dorm = await world.counter('T-DORM');
    offlineRelay = await world.ownRelay();
    csOffline = await world.counter('T-CS', {}, offlineRelay);
  });
  afterAll(() => world.stop());

  it('a student who moves out leaves the college counter (kept as 已转至…), one who moves in arrives with their record', async () => {
    dorm.do([
      { kind: 'pass', studentNo: S3, stepId: 'dorm-clearance' },
      { kind: 'pass', studentNo: S2, stepId: 'dorm-clearance' },
    ]);
    cs.do([{ kind: 'pass', studentNo: S2, stepId: 'return-instruments' }]);
    await settle();
    expect(searched(cs)).toEqual([S1, S2]);
    await expectTrueCounts(cs, [CS]);
    await expectTrueCounts(dorm, 'all');
    const csHistory = (cs.replica.sqlite.prepare('select count(*) as n from audit_log where student_no = ?').get(S2) as { n: number }).n;

    // The second 计算机学院 counter is offline while the roster changes, and acts on S2 meanwhile.
    await offlineRelay.down();
    csOffline.do([{ kind: 'reject', studentNo: S2, stepId: 'return-instruments', note: '仪器缺一件' }]);

    const stored = await fullRoster({ [S2]: ME, [S3]: CS });
    expect(stored.moved.sort()).toEqual([S2, S3]);
    expect(stored.missing).toEqual([]);
    const changes = await world.server.database.db.select().from(rosterChanges).where(eq(rosterChanges.batchId, world.batchId));
    expect(changes.map((c) => [c.studentNo, c.kind, c.fromCollege, c.toCollege, c.changedBy]).sort()).toEqual([
      [S2, 'college', CS, ME, '测试管理员'],
      [S3, 'college', ME, CS, '测试管理员'],
    ]);

    await settle();
    // S3 moved in with the dorm step the school-wide counter passed before the move.
    expect(cs.state(S3, 'dorm-clearance').status).toBe('passed');
    expect(standing(cs, S3)).toEqual({ kind: 'own' });
    // S2 is still on the replica, with its history, but not the counter's own any more.
    expect(standing(cs, S2)).toEqual({ kind: 'moved', college: ME });
    expect(searched(cs)).toEqual([S1, S3]);
    expect(cs.state(S2, 'return-instruments').status).toBe('passed');
    expect((cs.replica.sqlite.prepare('select count(*) as n from audit_log where student_no = ?').get(S2) as { n: number }).n).toBe(csHistory);
    const detail = createCounterService(cs.replica).call('students.detail', { studentNo: S2 });
    expect(detail.actions.every((a) => a.pass?.code === 'out_of_scope' && a.revoke?.code === 'out_of_scope')).toBe(true);
    expect(() => cs.do([{ kind: 'revoke', studentNo: S2, stepId: 'return-instruments', note: '误操作' }])).toThrow('不属于您负责的学院');
    expect(() => createCounterService(cs.replica).call('reports.slip', { studentNo: S2 })).toThrow(`已转至 ${ME}`);
    // The school-wide counter keeps both, in their new colleges.
    expect(searched(dorm)).toEqual([S1, S2, S3, S4]);
    expect(standing(dorm, S2)).toEqual({ kind: 'own' });
    expect(createCounterService(dorm.replica).call('students.detail', { studentNo: S2 }).student.college).toBe(ME);
    await expectTrueCounts(cs, [CS]);
    await expectTrueCounts(dorm, 'all');

    // Back online: the op made before the news is refused by the server with its reason, kept and shown.
    await offlineRelay.up();
    await csOffline.client.sync();
    await csOffline.client.sync();
    expect(rejectedOps(csOffline)).toEqual([{ studentNo: S2, reason: '该学生不属于您负责的学院，不能办理' }]);
    expect(standing(csOffline, S2)).toEqual({ kind: 'moved', college: ME });
    expect(csOffline.state(S2, 'return-instruments').status).toBe('passed');
    expect(searched(csOffline)).toEqual([S1, S3]);
    await expectTrueCounts(csOffline, [CS]);

    // A counter set up after the move learns the same from its snapshot.
    const fresh = await world.counter('T-CS');
    expect(standing(fresh, S2)).toEqual({ kind: 'moved', college: ME });
    expect(fresh.state(S3, 'dorm-clearance').status).toBe('passed');
    await expectTrueCounts(fresh, [CS]);
  });

  it('a withdrawn student counts nowhere and every op about them is refused; restored, they count again', async () => {
    const db = world.server.database.db;
    await offlineRelay.down();
    csOffline.do([{ kind: 'pass', studentNo: S1, stepId: 'party-transfer' }]);

    const before = (await db.select({ seq: students.seq }).from(students).where(and(eq(students.batchId, world.batchId), eq(students.studentNo, S1))))[0]!.seq;
    const result = await changeStandingOf(db, world.batchId, [S1, S4], { kind: 'withdraw', reason: '延期毕业' }, '测试管理员');
    expect(result).toEqual({ changed: [S1, S4], unchanged: [] });
    const [row] = await db.select().from(students).where(and(eq(students.batchId, world.batchId), eq(students.studentNo, S1)));
    expect(row).toMatchObject({ withdrawnReason: '延期毕业', withdrawnBy: '测试管理员' });
    expect(row!.withdrawnAt).not.toBeNull();
    expect(row!.seq).toBeGreaterThan(before);
    // Withdrawing again changes nothing; an unknown 学号 refuses the whole change.
    expect(await changeStandingOf(db, world.batchId, [S1], { kind: 'withdraw', reason: '结业' }, '测试管理员')).toEqual({ changed: [], unchanged: [S1] });
    await expect(changeStandingOf(db, world.batchId, [S3, '2099000001'], { kind: 'withdraw', reason: '退学' }, '测试管理员')).rejects.toThrow('没有以下学号');
    expect((await db.select().from(students).where(eq(students.studentNo, S3)))[0]!.withdrawnReason).toBeNull();

    await settle();
    for (const counter of [cs, dorm]) {
      expect(standing(counter, S1)).toEqual({ kind: 'withdrawn', reason: '延期毕业' });
      expect(searched(counter)).not.toContain(S1);
      expect(() => counter.do([{ kind: 'pass', studentNo: S1, stepId: counter === cs ? 'party-transfer' : 'dorm-clearance' }])).toThrow('该学生已退出本批次（延期毕业），不能办理');
      expect(() => createCounterService(counter.replica).call('reports.slip', { studentNo: S1 })).toThrow('已退出本批次（延期毕业）');
    }
    expect(standing(dorm, S4)).toEqual({ kind: 'withdrawn', reason: '延期毕业' });
    const csTruth = await expectTrueCounts(cs, [CS]);
    const dormTruth = await expectTrueCounts(dorm, 'all');
    expect(csTruth.chased).not.toContain(S1);
    expect(dormTruth.checkpoint.previousTotal).toBe(0);

    // The offline counter's op, made before it heard of the withdrawal, is refused with the reason.
    await offlineRelay.up();
    await csOffline.client.sync();
    await csOffline.client.sync();
    expect(rejectedOps(csOffline)[0]).toEqual({ studentNo: S1, reason: '该学生已退出本批次（延期毕业），不能办理' });
    expect(csOffline.state(S1, 'party-transfer').status).toBe('pending');
    await expectTrueCounts(csOffline, [CS]);

    // A whole-file roster without S3 lists S3 and withdraws nothing until confirmed.
    const listed = await storeRoster(db, world.server.batches, world.batchId, [student(S2, ME), student(S1, CS, { flags: { 党团员: true } })], [], {});
    expect(listed.missing).toEqual([{ studentNo: S3, name: '学生003', college: CS }]);
    expect(listed.withdrawn).toEqual([]);
    expect((await db.select().from(students).where(eq(students.studentNo, S3)))[0]!.withdrawnReason).toBeNull();
    const confirmed = await storeRoster(db, world.server.batches, world.batchId, [student(S2, ME), student(S1, CS, { flags: { 党团员: true } })], [], {
      by: '测试管理员',
      withdrawMissing: '结业',
    });
    expect(confirmed.withdrawn).toEqual([S3]);
    await settle();
    expect(standing(cs, S3)).toEqual({ kind: 'withdrawn', reason: '结业' });
    await expectTrueCounts(cs, [CS]);
    await expectTrueCounts(dorm, 'all');

    const restored = await changeStandingOf(db, world.batchId, [S1, S3, S4, S2], { kind: 'restore' }, '测试管理员');
    expect(restored).toEqual({ changed: [S1, S3, S4], unchanged: [S2] });
    await settle();
    expect(standing(cs, S1)).toEqual({ kind: 'own' });
    expect(searched(cs)).toEqual([S1, S3]);
    cs.do([{ kind: 'pass', studentNo: S1, stepId: 'party-transfer' }]);
    await settle();
    expect(cs.state(S1, 'party-transfer')).toMatchObject({ status: 'passed', version: 1 });
    await expectTrueCounts(cs, [CS]);
    await expectTrueCounts(dorm, 'all');
    const kinds = await db.select({ kind: rosterChanges.kind }).from(rosterChanges).where(eq(rosterChanges.studentNo, S1));
    expect(kinds.map((k) => k.kind)).toEqual(['withdraw', 'restore']);
  });
});
