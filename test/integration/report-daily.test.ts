import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src-shared/contract/counter-api';
import type { DailyReport } from '../../src-shared/contract/report-api';
import { generateRoster } from '../../src-shared/demo/roster';
import { parseBatchDefinitionText } from '../../src-shared/domain/batch-definition';
import type { RosterStudent } from '../../src-shared/domain/types';
import { reportZhCN as t } from '../../src-shared/i18n/report.zh-CN';
import { createReplica, type Replica } from '../../src-main/db';
import { createCounterService, type CounterService } from '../../src-main/counter/service';
import { applyMany } from '../../src-main/counter/mutate';
import { currentSession } from '../../src-main/counter/session';
import { dailyReport } from '../../src-main/reports/daily';
import { verificationCode } from '../../src-main/reports/slip';
import { wholeChaseList } from './chase-pages';

const demo = parseBatchDefinitionText(readFileSync(join(__dirname, '../../resources/demo-batch.json'), 'utf8'));
const TZ = 'Asia/Shanghai';
const DAY = '2027-06-21';
/** 2027-06-21 in Beijing, written independently of the code under test. */
const DAY_START = '2027-06-20T16:00:00.000Z';
const DAY_END = '2027-06-21T16:00:00.000Z';
const COLLEGE_CHECKPOINT = 'college';

interface Setup {
  dir: string;
  replica: Replica;
  service: CounterService;
  students: RosterStudent[];
  clock: { now: Date };
  colleges: [string, string];
}

function setup(size: number, seed: number): Setup {
  const { students, initial } = generateRoster(demo, { seed, size });
  const colleges = [...new Set(students.map((s) => s.college))].sort() as [string, string, ...string[]];
  const held: [string, string] = [colleges[0], colleges[1]];
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-report-'));
  const replica = createReplica(join(dir, 'counter.db'), demo, students, initial, {
    deviceId: 'counter-7',
    operator: { id: 'op-1', name: '王老师' },
    grants: demo.checkpoints.map((cp) => ({ checkpointId: cp.id, colleges: cp.scope === 'college' ? [...held] : 'all' })),
    checkpointId: 'dorm',
  });
  const clock = { now: new Date('2027-06-21T02:00:00.000Z') };
  return { dir, replica, service: createCounterService(replica, { now: () => clock.now }), students, clock, colleges: held };
}

function sql<T>(s: Setup, text: string, ...params: unknown[]): T[] {
  return s.replica.sqlite.prepare(text).all(...params) as T[];
}

function one(s: Setup, text: string, ...params: unknown[]): number {
  return (s.replica.sqlite.prepare(text).pluck().get(...params) as number | null) ?? 0;
}

/** Students whose step is in the given state, optionally within some colleges. */
function studentsWith(s: Setup, stepId: string, status: string, n: number, colleges?: string[]): string[] {
  const where = colleges ? `and s.college in (${colleges.map(() => '?').join(', ')})` : '';
  return s.replica.sqlite
    .prepare(
      `select st.student_no from step_states st join students s on s.student_no = st.student_no
       where st.step_id = ? and st.status = ? ${where} order by st.student_no limit ?`,
    )
    .pluck()
    .all(stepId, status, ...(colleges ?? []), n) as string[];
}

function apply(s: Setup, at: string, action: 'pass' | 'reject' | 'revoke', stepId: string, studentNos: string[], note = '') {
  s.clock.now = new Date(at);
  const checkpointId = demo.checkpoints.find((cp) => cp.steps.some((st) => st.id === stepId))?.id ?? '';
  s.service.call('session.setCheckpoint', { checkpointId });
  for (const studentNo of studentNos) s.service.call('steps.apply', { studentNo, stepId, action, note });
}

/** One step's numbers counted straight from the tables, for some colleges and one cohort. */
function expectedCounts(s: Setup, stepId: string, previous: 0 | 1, colleges: string[] | 'all') {
  const cond = colleges === 'all' ? '1' : `s.college in (${colleges.map(() => '?').join(', ')})`;
  const params = colleges === 'all' ? [] : colleges;
  const state = (status: string) =>
    one(
      s,
      `select count(*) from step_states st join students s on s.student_no = st.student_no
       where st.step_id = ? and s.is_previous = ? and st.status in (${status}) and ${cond}`,
      stepId,
      previous,
      ...params,
    );
  const day = (kind: string) =>
    one(
      s,
      `select count(*) from audit_log a join students s on s.student_no = a.student_no
       where a.step_id = ? and s.is_previous = ? and a.kind = ? and a.at >= ? and a.at < ? and ${cond}`,
      stepId,
      previous,
      kind,
      DAY_START,
      DAY_END,
      ...params,
    );
  const total = state("'pending', 'rejected', 'passed'");
  const passed = state("'passed'");
  return {
    total,
    passed,
    unfinished: state("'pending', 'rejected'"),
    passedToday: day('pass'),
    rejectedToday: day('reject'),
    revokedToday: day('revoke'),
    rate: total > 0 ? passed / total : null,
  };
}

function report(s: Setup, input: Parameters<CounterService['call']>[1] & object): DailyReport {
  return s.service.call('reports.daily', { timeZone: TZ, date: DAY, ...input });
}

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

async function workbook(base64: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(new Uint8Array(Buffer.from(base64, 'base64')).buffer);
  return wb;
}

/** A row across the header's columns; the streamed workbook writes no cell for an empty text. */
function rowValues(sheet: ExcelJS.Worksheet, row: number): unknown[] {
  const cells = sheet.getRow(row);
  return Array.from({ length: sheet.getRow(1).cellCount }, (_, i) => cells.getCell(i + 1).value ?? '');
}

describe('reports.daily', () => {
  let s: Setup;
  let dorm: string[];
  let elsewhere: string[];

  beforeAll(() => {
    s = setup(900, 31);
    dorm = studentsWith(s, 'dorm-clearance', 'pending', 40);
    // The day before: must not count as today.
    apply(s, '2027-06-20T15:59:59.999Z', 'pass', 'dorm-clearance', dorm.slice(0, 5));
    // The day itself, in Beijing: from 00:00 (16:00Z the day before) to 23:59.
    apply(s, DAY_START, 'pass', 'dorm-clearance', dorm.slice(5, 25));
    apply(s, '2027-06-21T03:00:00.000Z', 'reject', 'dorm-clearance', dorm.slice(25, 32), '床位未清空');
    apply(s, '2027-06-21T04:00:00.000Z', 'revoke', 'dorm-clearance', dorm.slice(5, 9), '误点');
    apply(s, '2027-06-21T05:00:00.000Z', 'pass', 'dorm-clearance', dorm.slice(5, 7));
    // The next day.
    apply(s, DAY_END, 'pass', 'dorm-clearance', dorm.slice(32, 36));
    elsewhere = studentsWith(s, 'electricity', 'pending', 6);
    apply(s, '2027-06-21T06:00:00.000Z', 'pass', 'electricity', elsewhere);
    const [a, b] = s.colleges;
    apply(s, '2027-06-21T07:00:00.000Z', 'pass', 'return-instruments', studentsWith(s, 'return-instruments', 'pending', 9, [a]));
    apply(s, '2027-06-21T07:30:00.000Z', 'pass', 'return-instruments', studentsWith(s, 'return-instruments', 'pending', 4, [b]));
    apply(s, '2027-06-21T08:00:00.000Z', 'reject', 'return-instruments', studentsWith(s, 'return-instruments', 'pending', 3, [b]), '仪器损坏');
    s.service.call('session.setCheckpoint', { checkpointId: 'dorm' });
    s.clock.now = new Date('2027-06-21T12:00:00.000Z');
  });
  afterAll(() => {
    s.replica.close();
    rmSync(s.dir, { recursive: true, force: true });
  });

  it('counts every step of a school checkpoint as the tables do', () => {
    const r = report(s, { checkpointId: 'dorm' });
    expect(r.steps.map((l) => l.id)).toEqual(['dorm-clearance']);
    const line = r.steps[0]!;
    expect(line.current).toEqual(expectedCounts(s, 'dorm-clearance', 0, 'all'));
    expect(line.previous).toEqual(expectedCounts(s, 'dorm-clearance', 1, 'all'));
    // What the test did that day, independently of any count.
    expect(line.current.passedToday + line.previous.passedToday).toBe(22);
    expect(line.current.rejectedToday + line.previous.rejectedToday).toBe(7);
    expect(line.current.revokedToday + line.previous.revokedToday).toBe(4);
  });

  it('agrees with stats.checkpoint for the checkpoint and each step', () => {
    for (const checkpointId of ['dorm', 'utilities', COLLEGE_CHECKPOINT, 'finance']) {
      s.service.call('session.setCheckpoint', { checkpointId });
      const stats = s.service.call('stats.checkpoint', {});
      const r = report(s, {});
      expect(r.checkpoint).toEqual({
        total: stats.checkpoint.total,
        unfinished: stats.checkpoint.unfinished,
        previousTotal: stats.checkpoint.previousTotal,
        previousUnfinished: stats.checkpoint.previousUnfinished,
      });
      for (const line of r.steps) {
        const st = stats.steps.find((x) => x.id === line.id)!;
        expect([line.current.total, line.current.unfinished, line.previous.total, line.previous.unfinished]).toEqual([
          st.total,
          st.unfinished,
          st.previousTotal,
          st.previousUnfinished,
        ]);
      }
    }
    s.service.call('session.setCheckpoint', { checkpointId: 'dorm' });
  });

  it('lists every action of the day, oldest first, with who did it', () => {
    const r = report(s, { checkpointId: 'dorm' });
    const expected = sql<{ at: string; student_no: string; kind: string; note: string }>(
      s,
      `select at, student_no, kind, note from audit_log where step_id = 'dorm-clearance' and at >= ? and at < ? order by at, id`,
      DAY_START,
      DAY_END,
    );
    expect(r.actions).toHaveLength(20 + 7 + 4 + 2);
    expect(r.actions.map((a) => [a.at, a.studentNo, a.kind, a.note])).toEqual(expected.map((e) => [e.at, e.student_no, e.kind, e.note]));
    const first = r.actions[0]!;
    const student = s.students.find((x) => x.studentNo === first.studentNo)!;
    expect(first).toMatchObject({
      at: DAY_START,
      name: student.name,
      className: student.className,
      college: student.college,
      stepName: '清理宿舍物品',
      operatorId: 'op-1',
      operatorName: '王老师',
    });
    expect(r.actions.find((a) => a.kind === 'reject')?.note).toBe('床位未清空');
  });

  it('breaks the unfinished students down by class, adding up to the checkpoint', () => {
    const r = report(s, { checkpointId: 'dorm' });
    const rows = sql<{ college: string; class_name: string; is_previous: number; n: number }>(
      s,
      `select s.college, s.class_name, s.is_previous, count(*) as n from step_states st join students s on s.student_no = st.student_no
       where st.step_id = 'dorm-clearance' and st.status in ('pending', 'rejected') group by 1, 2, 3`,
    );
    for (const c of r.unfinishedByClass) {
      const find = (p: number) => rows.find((x) => x.college === c.college && x.class_name === c.className && x.is_previous === p)?.n ?? 0;
      expect([c.unfinished, c.previousUnfinished]).toEqual([find(0), find(1)]);
      expect(c.total).toBe(s.students.filter((x) => x.className === c.className && x.college === c.college && !x.isPrevious).length);
    }
    expect(r.unfinishedByClass).toHaveLength(new Set(rows.map((x) => `${x.college}/${x.class_name}`)).size);
    expect(r.unfinishedByClass.reduce((n, c) => n + c.unfinished, 0)).toBe(r.checkpoint.unfinished);
    expect(r.unfinishedByClass.reduce((n, c) => n + c.previousUnfinished, 0)).toBe(r.checkpoint.previousUnfinished);
  });

  it('narrows a college checkpoint to one of the operator colleges', () => {
    const [a, b] = s.colleges;
    const both = report(s, { checkpointId: COLLEGE_CHECKPOINT });
    const onlyB = report(s, { checkpointId: COLLEGE_CHECKPOINT, college: b });
    expect(both.header.colleges).toEqual([a, b]);
    expect(both.header.checkpoint.name).toBe('学院离校点');
    expect(onlyB.header.colleges).toEqual([b]);
    expect(onlyB.header.checkpoint.name).toBe(`${b}离校点`);
    const line = onlyB.steps.find((l) => l.id === 'return-instruments')!;
    expect(line.current).toEqual(expectedCounts(s, 'return-instruments', 0, [b]));
    expect(line.current.passedToday + line.previous.passedToday).toBe(4);
    expect(line.current.rejectedToday + line.previous.rejectedToday).toBe(3);
    const all = both.steps.find((l) => l.id === 'return-instruments')!;
    expect(all.current).toEqual(expectedCounts(s, 'return-instruments', 0, [a, b]));
    expect(all.current.passedToday + all.previous.passedToday).toBe(13);
    expect(onlyB.actions.every((x) => x.college === b)).toBe(true);
    expect(both.actions).toHaveLength(16);
  });

  it('states the counter, the operator and what is not synced yet', () => {
    const r = report(s, { checkpointId: 'dorm' });
    const ops = one(s, 'select count(*) from outbox');
    expect(r.header).toMatchObject({
      university: demo.university,
      batch: { id: demo.id, name: demo.name },
      checkpoint: { id: 'dorm', name: '宿管中心离校点', scope: 'school' },
      colleges: 'all',
      date: DAY,
      timeZone: TZ,
      generatedAt: '2027-06-21T12:00:00.000Z',
      operator: { id: 'op-1', name: '王老师' },
      deviceId: 'counter-7',
      unsyncedChanges: ops,
      lastSyncAt: null,
    });
    s.replica.sqlite.prepare('update outbox set acked_at = ?, outcome = ? where device_seq <= 10').run('2027-06-21T09:00:00.000Z', 'applied');
    s.replica.sqlite.prepare('update sync_state set last_push_at = ?, last_pull_at = ?').run('2027-06-21T09:00:00.000Z', '2027-06-21T09:00:05.000Z');
    expect(report(s, { checkpointId: 'dorm' }).header).toMatchObject({ unsyncedChanges: ops - 10, lastSyncAt: '2027-06-21T09:00:05.000Z' });
  });

  it('defaults to today in the given time zone', () => {
    s.clock.now = new Date('2027-06-21T17:00:00.000Z');
    expect(s.service.call('reports.daily', { timeZone: TZ }).header.date).toBe('2027-06-22');
    expect(s.service.call('reports.daily', { timeZone: 'UTC' }).header.date).toBe('2027-06-21');
    s.clock.now = new Date('2027-06-21T12:00:00.000Z');
  });

  it('refuses a checkpoint, a college or a date the operator cannot have', () => {
    const session = currentSession(s.replica);
    s.replica.sqlite
      .prepare("update meta set value = ? where key = 'session'")
      .run(JSON.stringify({ operator: session.operator, grants: session.grants.filter((g) => g.checkpointId !== 'finance'), checkpointId: 'dorm' }));
    expect(apiError(() => report(s, { checkpointId: 'finance' }))).toMatchObject({ code: 'forbidden', message: t.errors.notGranted('财务处离校点') });
    expect(apiError(() => report(s, { checkpointId: COLLEGE_CHECKPOINT, college: '外星学院' }))).toMatchObject({ code: 'forbidden' });
    expect(apiError(() => report(s, { checkpointId: 'dorm', college: s.colleges[0] })).code).toBe('bad_input');
    expect(apiError(() => report(s, { date: '2027-02-30' })).message).toContain(t.errors.dateInvalid);
    expect(apiError(() => report(s, { timeZone: 'Mars/Olympus' })).message).toContain(t.errors.timeZone);
    s.replica.sqlite.prepare("update meta set value = ? where key = 'session'").run(JSON.stringify({ ...session, deviceId: undefined }));
  });

  it('writes the daily workbook with the same numbers, cell by cell', async () => {
    const r = report(s, { checkpointId: 'dorm' });
    const file = await s.service.call('reports.dailyXlsx', { checkpointId: 'dorm', date: DAY, timeZone: TZ });
    expect(file.fileName).toBe(`离校点日报_宿管中心离校点_${DAY}.xlsx`);
    const wb = await workbook(file.base64);
    expect(wb.worksheets.map((w) => w.name)).toEqual([t.xlsx.infoSheet, t.xlsx.stepsSheet, t.xlsx.classesSheet, t.xlsx.actionsSheet]);

    const info = wb.getWorksheet(t.xlsx.infoSheet)!;
    expect(rowValues(info, 2)).toEqual([t.doc.university, demo.university]);
    expect(rowValues(info, 6)).toEqual([t.doc.date, DAY]);
    expect(rowValues(info, 7)).toEqual([t.doc.generatedAt, '2027-06-21 20:00']);

    const steps = wb.getWorksheet(t.xlsx.stepsSheet)!;
    expect(steps.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(rowValues(steps, 1)).toEqual(['环节', '类别', '应办人数', '今日通过', '今日撤销', '今日未通过', '累计通过', '未完成', '完成率']);
    const c = r.steps[0]!.current;
    expect(rowValues(steps, 2)).toEqual(['清理宿舍物品', '本届', c.total, c.passedToday, c.revokedToday, c.rejectedToday, c.passed, c.unfinished, c.rate]);
    expect(steps.getCell('I2').numFmt).toBe('0.0%');
    expect(rowValues(steps, 3).slice(0, 3)).toEqual(['清理宿舍物品', '往届', r.steps[0]!.previous.total]);

    const classes = wb.getWorksheet(t.xlsx.classesSheet)!;
    expect(classes.rowCount).toBe(1 + r.unfinishedByClass.length);
    const k = r.unfinishedByClass[0]!;
    expect(rowValues(classes, 2)).toEqual([k.college, k.className, k.total, k.unfinished, k.previousTotal, k.previousUnfinished]);

    const actions = wb.getWorksheet(t.xlsx.actionsSheet)!;
    expect(actions.rowCount).toBe(1 + r.actions.length);
    const a = r.actions.find((x) => x.kind === 'reject')!;
    const row = r.actions.indexOf(a) + 2;
    expect(rowValues(actions, row)).toEqual(['11:00:00', a.studentNo, a.name, a.college, a.className, a.isPrevious ? '是' : '', '清理宿舍物品', '未通过', '王老师', '床位未清空']);
    const no = actions.getCell(row, 2);
    expect(typeof no.value).toBe('string');
    expect(no.numFmt).toBe('@');
  });

  it('writes the chase list per college, each student with what is still open', async () => {
    const [a, b] = s.colleges;
    const list = wholeChaseList(s.service, { checkpointId: COLLEGE_CHECKPOINT, timeZone: TZ });
    const expectedNos = s.replica.sqlite
      .prepare(
        `select s.student_no from students s where s.college in (?, ?) and exists (select 1 from step_states u
           where u.student_no = s.student_no and u.step_id in ('party-transfer', 'return-instruments', 'national-loan')
             and u.status in ('pending', 'rejected'))
         order by s.college, s.class_name, s.student_no`,
      )
      .pluck()
      .all(a, b) as string[];
    expect(list.students.map((x) => x.studentNo)).toEqual(expectedNos);
    const stats = s.service.call('reports.daily', { checkpointId: COLLEGE_CHECKPOINT }).checkpoint;
    expect(list.students).toHaveLength(stats.unfinished + stats.previousUnfinished);

    const rejected = list.students.find((x) => x.here.some((h) => h.note === '仪器损坏'))!;
    const open = sql<{ step_id: string }>(
      s,
      "select step_id from step_states where student_no = ? and status in ('pending', 'rejected') and step_id <> 'refund-status' and step_id <> 'withheld-certs'",
      rejected.studentNo,
    );
    expect(rejected.here.length + rejected.elsewhere.length).toBe(open.length);
    expect(rejected.here.find((h) => h.note === '仪器损坏')).toMatchObject({ checkpointName: `${b}离校点`, stepName: '归还教学仪器', status: 'rejected' });

    const file = await s.service.call('reports.chaseXlsx', { checkpointId: COLLEGE_CHECKPOINT, timeZone: TZ });
    const wb = await workbook(file.base64);
    expect(wb.worksheets.map((w) => w.name)).toEqual([t.xlsx.infoSheet, a, b]);
    const sheet = wb.getWorksheet(b)!;
    const ofB = list.students.filter((x) => x.college === b);
    expect(sheet.rowCount).toBe(1 + ofB.length);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const rowNo = ofB.findIndex((x) => x.studentNo === rejected.studentNo) + 2;
    const student = s.students.find((x) => x.studentNo === rejected.studentNo)!;
    const values = rowValues(sheet, rowNo);
    expect(values.slice(0, 8)).toEqual([
      b,
      student.className,
      student.studentNo,
      student.name,
      student.gender,
      student.dorm ?? '',
      `**************${student.idCard.slice(-4)}`,
      student.isPrevious ? '是' : '',
    ]);
    expect(values[8]).toContain(`${b}离校点：归还教学仪器（未通过：仪器损坏）`);
    expect(JSON.stringify(values)).not.toContain(student.idCard);
    expect(sheet.getCell(rowNo, 3).numFmt).toBe('@');
    expect(sheet.getCell(rowNo, 7).numFmt).toBe('@');

    const single = await workbook((await s.service.call('reports.chaseXlsx', { checkpointId: COLLEGE_CHECKPOINT, college: a, timeZone: TZ })).base64);
    expect(single.worksheets.map((w) => w.name)).toEqual([t.xlsx.infoSheet, t.xlsx.chaseSheet]);
  });

  it('prints a 离校单 whose QR code a desk can verify, and catches a forged one', () => {
    const studentNo = dorm[10]!;
    const slip = s.service.call('reports.slip', { studentNo });
    expect(slip.verificationCode).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
    expect(JSON.parse(slip.qrPayload)).toEqual({ studentNo, batch: demo.id, v: slip.verificationCode });
    expect(slip.checkpoints.map((c) => c.name)).toHaveLength(demo.checkpoints.length);
    const dormStep = slip.checkpoints.flatMap((c) => c.steps).find((x) => x.name === '清理宿舍物品')!;
    expect(dormStep).toMatchObject({ status: 'passed', updatedBy: '王老师' });
    expect(JSON.stringify(slip)).not.toContain(s.students.find((x) => x.studentNo === studentNo)!.idCard);

    const student = s.students.find((x) => x.studentNo === studentNo)!;
    expect(s.service.call('reports.verifySlip', { text: slip.qrPayload })).toEqual({
      verdict: 'valid',
      studentNo,
      student: { name: student.name, college: student.college, className: student.className },
      completeNow: slip.complete,
    });
    const other = dorm[11]!;
    const forged = JSON.stringify({ studentNo: other, batch: demo.id, v: slip.verificationCode });
    expect(s.service.call('reports.verifySlip', { text: forged }).verdict).toBe('mismatch');
    expect(s.service.call('reports.verifySlip', { text: JSON.stringify({ studentNo, batch: 'other', v: slip.verificationCode }) }).verdict).toBe('other_batch');
    expect(s.service.call('reports.verifySlip', { text: studentNo }).verdict).toBe('malformed');
    const ghost = '0999999999';
    expect(s.service.call('reports.verifySlip', { text: JSON.stringify({ studentNo: ghost, batch: demo.id, v: verificationCode(s.replica, ghost) }) }).verdict).toBe(
      'unknown_student',
    );
    expect(apiError(() => s.service.call('reports.slip', { studentNo: ghost })).code).toBe('not_found');
  });

  it('gives a different code on a replica with another key', () => {
    const other = setup(50, 31);
    try {
      const studentNo = other.students[0]!.studentNo;
      expect(verificationCode(other.replica, studentNo)).not.toBe(verificationCode(s.replica, studentNo));
    } finally {
      other.replica.close();
      rmSync(other.dir, { recursive: true, force: true });
    }
  });
});

describe('a busy day', () => {
  it('builds the report and the workbook for 5,000 actions on one checkpoint', async () => {
    const s = setup(4000, 5);
    try {
      const session = currentSession(s.replica);
      const students = studentsWith(s, 'dorm-clearance', 'pending', 2500);
      expect(students).toHaveLength(2500);
      // Pass then revoke each: 5,000 real actions through the mutation path, in one transaction.
      const requests = students.flatMap((studentNo) => [
        { kind: 'pass' as const, studentNo, stepId: 'dorm-clearance' },
        { kind: 'revoke' as const, studentNo, stepId: 'dorm-clearance', note: '复核' },
      ]);
      const result = applyMany(s.replica, session, requests, { now: () => new Date('2027-06-21T03:00:00.000Z') });
      expect(result.refusals).toEqual([]);
      const input = { checkpointId: 'dorm', date: DAY, timeZone: TZ };
      const now = new Date('2027-06-21T12:00:00.000Z');

      const started = performance.now();
      const r = dailyReport(s.replica, input, now);
      const built = performance.now() - started;
      const xlsxStarted = performance.now();
      const file = await s.service.call('reports.dailyXlsx', input);
      const written = performance.now() - xlsxStarted;

      expect(r.actions).toHaveLength(5000);
      const line = r.steps[0]!;
      expect(line.current.passedToday + line.previous.passedToday).toBe(2500);
      expect(line.current.revokedToday + line.previous.revokedToday).toBe(2500);
      expect((await workbook(file.base64)).getWorksheet(t.xlsx.actionsSheet)!.rowCount).toBe(5001);
      console.log(
        `[report bench] 5,000 actions: daily report ${built.toFixed(0)} ms, workbook ${written.toFixed(0)} ms ` +
          `(${Math.round((file.base64.length * 0.75) / 1024)} KiB)`,
      );
    } finally {
      s.replica.close();
      rmSync(s.dir, { recursive: true, force: true });
    }
  }, 180_000);
});
