import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src-shared/contract/counter-api';
import { CHASE_PAGE_MAX_CLASSES, type ChaseFilter, type ChaseStudent } from '../../src-shared/contract/report-api';
import { generateRoster } from '../../src-shared/demo/roster';
import { parseBatchDefinitionText } from '../../src-shared/domain/batch-definition';
import type { RosterStudent } from '../../src-shared/domain/types';
import { reportZhCN as t } from '../../src-shared/i18n/report.zh-CN';
import { createReplica, type Replica } from '../../src-main/db';
import { createCounterService, type CounterService } from '../../src-main/counter/service';
import { wholeChaseList } from './chase-pages';

/**
 * The 未完成名单 read in pages (reports.chaseSummary + reports.chasePage) and streamed into a
 * workbook: the pages put together are the list the old single query gave, filters pick what
 * SQL picks, and the workbook holds every row cell by cell.
 */

const demo = parseBatchDefinitionText(readFileSync(join(__dirname, '../../resources/demo-batch.json'), 'utf8'));
const TZ = 'Asia/Shanghai';
const SCHOOL = 'student-affairs';
const COLLEGE = 'college';

let dir: string;
let replica: Replica;
let service: CounterService;
let students: RosterStudent[];
let held: [string, string];

beforeAll(() => {
  const roster = generateRoster(demo, { seed: 5, size: 1500 });
  students = roster.students;
  const colleges = [...new Set(students.map((s) => s.college))].sort();
  held = [colleges[0]!, colleges[1]!];
  dir = mkdtempSync(join(tmpdir(), 'lixiao-chase-'));
  replica = createReplica(join(dir, 'counter.db'), demo, students, roster.initial, {
    deviceId: 'counter-3',
    operator: { id: 'op-1', name: '王老师' },
    grants: demo.checkpoints.map((cp) => ({ checkpointId: cp.id, colleges: cp.scope === 'college' ? [...held] : 'all' })),
    checkpointId: SCHOOL,
  });
  service = createCounterService(replica, { now: () => new Date('2027-06-21T02:00:00.000Z') });
  // Rejections with notes, so the list carries reasons; a withdrawn student drops out of it.
  const reject = replica.sqlite.prepare("update step_states set status = 'rejected', note = ? where student_no = ? and step_id = ?");
  students.slice(0, 60).forEach((s, i) => reject.run(`原因${i}`, s.studentNo, i % 2 ? 'return-student-card' : 'return-books'));
  replica.sqlite.prepare("update students set withdrawn_reason = '延期毕业' where student_no = ?").run(students[70]!.studentNo);
});

afterAll(() => {
  replica.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The old single query, written apart from the code under test: applies at the checkpoint and a counted step open. */
function expectedNos(checkpointId: string, colleges: string[] | 'all', filter: ChaseFilter = {}): string[] {
  const cp = demo.checkpoints.find((c) => c.id === checkpointId)!;
  const all = cp.steps.map((s) => s.id);
  const counted = cp.steps.filter((s) => s.required).map((s) => s.id);
  const q = (ids: string[]) => ids.map(() => '?').join(', ');
  const where: string[] = ['s.in_scope = 1', 's.withdrawn_reason is null'];
  const params: unknown[] = [...all, ...counted];
  if (colleges !== 'all') {
    where.push(`s.college in (${q(colleges)})`);
    params.push(...colleges);
  }
  if (filter.college) {
    where.push('s.college = ?');
    params.push(filter.college);
  }
  if (filter.className) {
    where.push('instr(s.class_name, ?) > 0');
    params.push(filter.className);
  }
  if (filter.dorm) {
    where.push('instr(s.dorm, ?) > 0');
    params.push(filter.dorm);
  }
  return replica.sqlite
    .prepare(
      `select s.student_no from students s
       where exists (select 1 from step_states a where a.student_no = s.student_no and a.step_id in (${q(all)}) and a.status <> 'na')
         and exists (select 1 from step_states u where u.student_no = s.student_no and u.step_id in (${q(counted)})
                       and u.status in ('pending', 'rejected'))
         and ${where.join(' and ')}
       order by s.college, s.class_name, s.student_no`,
    )
    .pluck()
    .all(...params) as string[];
}

/** Every open counted step of the listed students, as "学号/step name/note" in batch order. */
function expectedOpen(nos: string[]): string[] {
  const order = new Map(demo.checkpoints.flatMap((cp) => cp.steps).map((s, i) => [s.id, i]));
  const names = new Map(demo.checkpoints.flatMap((cp) => cp.steps).map((s) => [s.id, s.name]));
  const required = demo.checkpoints.flatMap((cp) => cp.steps).filter((s) => s.required).map((s) => s.id);
  const rows = replica.sqlite
    .prepare(
      `select student_no, step_id, status, note from step_states
       where student_no in (select value from json_each(?)) and status in ('pending', 'rejected')`,
    )
    .all(JSON.stringify(nos)) as { student_no: string; step_id: string; status: string; note: string }[];
  const at = new Map(nos.map((n, i) => [n, i]));
  return rows
    .filter((r) => required.includes(r.step_id))
    .sort((a, b) => at.get(a.student_no)! - at.get(b.student_no)! || order.get(a.step_id)! - order.get(b.step_id)!)
    .map((r) => `${r.student_no}/${names.get(r.step_id)}/${r.status === 'rejected' ? r.note : ''}`);
}

function openOf(list: ChaseStudent[], checkpointName: (s: ChaseStudent) => string): string[] {
  const order = new Map(demo.checkpoints.flatMap((cp) => cp.steps).map((s, i) => [s.name, i]));
  return list.flatMap((s) => {
    for (const step of s.here) expect(step.checkpointName).toBe(checkpointName(s));
    return [...s.here, ...s.elsewhere]
      .sort((a, b) => order.get(a.stepName)! - order.get(b.stepName)!)
      .map((step) => `${s.studentNo}/${step.stepName}/${step.note}`);
  });
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

describe('the 未完成名单 in pages', () => {
  it('puts the same students in the same order whatever the page size, as the single query did', () => {
    const expected = expectedNos(SCHOOL, 'all');
    expect(expected.length).toBeGreaterThan(300);
    for (const perPage of [1, 3, 40, CHASE_PAGE_MAX_CLASSES]) {
      const { students: list } = wholeChaseList(service, { checkpointId: SCHOOL, timeZone: TZ }, perPage);
      expect(list.map((s) => s.studentNo)).toEqual(expected);
    }
  });

  it('sums up as stats.checkpoint counts, class by class', () => {
    const summary = service.call('reports.chaseSummary', { checkpointId: SCHOOL, timeZone: TZ });
    const stats = service.call('reports.daily', { checkpointId: SCHOOL, timeZone: TZ }).checkpoint;
    expect(summary.total).toBe(stats.unfinished + stats.previousUnfinished);
    const nos = expectedNos(SCHOOL, 'all');
    const byClass = new Map<string, number>();
    for (const no of nos) {
      const s = students.find((x) => x.studentNo === no)!;
      byClass.set(`${s.college}/${s.className}`, (byClass.get(`${s.college}/${s.className}`) ?? 0) + 1);
    }
    expect(summary.classes.map((c) => [`${c.college}/${c.className}`, c.students])).toEqual([...byClass]);
    expect(summary.colleges).toEqual([...new Set(summary.classes.map((c) => c.college))]);
    expect(summary.header.checkpoint.name).toBe('学生工作处离校点');
  });

  it('lists every open counted step of each student, with the reason of a rejection', () => {
    const { students: list } = wholeChaseList(service, { checkpointId: SCHOOL, timeZone: TZ });
    expect(openOf(list, () => '学生工作处离校点')).toEqual(expectedOpen(list.map((s) => s.studentNo)));
    expect(list.some((s) => s.here.some((h) => h.status === 'rejected' && h.note.startsWith('原因')))).toBe(true);
    expect(list.some((s) => s.elsewhere.some((h) => h.checkpointName === '图书馆离校点' && h.note.startsWith('原因')))).toBe(true);
    expect(list.map((s) => s.studentNo)).not.toContain(students[70]!.studentNo);
  });

  it('keeps a college checkpoint to the operator colleges, named per college', () => {
    const { students: list } = wholeChaseList(service, { checkpointId: COLLEGE, timeZone: TZ }, 2);
    expect(list.map((s) => s.studentNo)).toEqual(expectedNos(COLLEGE, held));
    expect(openOf(list, (s) => `${s.college}离校点`)).toEqual(expectedOpen(list.map((s) => s.studentNo)));
    const one = wholeChaseList(service, { checkpointId: COLLEGE, college: held[1], timeZone: TZ });
    expect(one.students.map((s) => s.studentNo)).toEqual(expectedNos(COLLEGE, [held[1]]));
    expect(one.header.checkpoint.name).toBe(`${held[1]}离校点`);
  });

  it('filters by 学院, 班级 and 宿舍 on the back end as SQL does', () => {
    const some = students.find((s) => s.dorm && expectedNos(SCHOOL, 'all').includes(s.studentNo))!;
    const building = some.dorm!.split('-').slice(0, 2).join('-');
    const classPart = some.className.slice(2, 5);
    const filters: ChaseFilter[] = [
      { college: some.college },
      { className: classPart },
      { dorm: building },
      { college: some.college, className: some.className },
      { college: some.college, dorm: some.dorm! },
      { className: '%' },
      { college: '没有这个学院' },
    ];
    for (const filter of filters) {
      const expected = expectedNos(SCHOOL, 'all', filter);
      const { students: list, summary } = wholeChaseList(service, { checkpointId: SCHOOL, timeZone: TZ, filter }, 5);
      expect(list.map((s) => s.studentNo), JSON.stringify(filter)).toEqual(expected);
      expect(summary.total).toBe(expected.length);
      // The 学院 choices stay those of the whole list, so a filter can be changed without clearing it.
      expect(summary.colleges).toEqual([...new Set(expectedNos(SCHOOL, 'all').map((no) => students.find((s) => s.studentNo === no)!.college))]);
    }
    expect(expectedNos(SCHOOL, 'all', { dorm: building }).length).toBeGreaterThan(0);
    // A typed % is a character of the name, not a wildcard.
    expect(expectedNos(SCHOOL, 'all', { className: '%' })).toEqual([]);
    const inCollege = wholeChaseList(service, { checkpointId: COLLEGE, timeZone: TZ, filter: { college: held[0] } });
    expect(inCollege.students.map((s) => s.studentNo)).toEqual(expectedNos(COLLEGE, [held[0]]));
    // A college outside the operator's grant filters to nobody rather than widening the scope.
    const outside = [...new Set(students.map((s) => s.college))].find((c) => !held.includes(c))!;
    expect(service.call('reports.chaseSummary', { checkpointId: COLLEGE, timeZone: TZ, filter: { college: outside } }).total).toBe(0);
  });

  it('refuses a page without classes or with too many, in Chinese', () => {
    const none = apiError(() => service.call('reports.chasePage', { checkpointId: SCHOOL, classes: [] }));
    expect(none.code).toBe('bad_input');
    expect(none.message).toContain('班级列表');
    const classes = Array.from({ length: CHASE_PAGE_MAX_CLASSES + 1 }, (_, i) => ({ college: 'x', className: `c${i}` }));
    expect(apiError(() => service.call('reports.chasePage', { checkpointId: SCHOOL, classes })).code).toBe('bad_input');
    expect(apiError(() => service.call('reports.chaseSummary', { checkpointId: SCHOOL, filter: { dorm: '   ' } })).code).toBe('bad_input');
    expect(apiError(() => service.call('reports.chaseSummary', { checkpointId: SCHOOL, college: held[0] })).message).toBe(
      t.errors.collegeOnSchoolCheckpoint('学生工作处离校点'),
    );
  });
});

describe('the streamed 未完成名单 workbook', () => {
  async function read(base64: string): Promise<ExcelJS.Workbook> {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(Buffer.from(base64, 'base64')).buffer);
    return wb;
  }

  const stepsText = (steps: ChaseStudent['here']) =>
    steps.map((s) => t.chaseStep(s.checkpointName, s.stepName, s.status === 'rejected' ? s.note : null)).join(t.listSeparator);

  /** What the workbook written in memory held for a student (an empty text is an empty cell). */
  const expectedRow = (s: ChaseStudent) =>
    [s.college, s.className, s.studentNo, s.name, s.gender, s.dorm ?? '', s.idCardMasked, s.isPrevious ? t.yes : '', stepsText(s.here), stepsText(s.elsewhere)].map(
      (v) => v || null,
    );

  it('holds every student of every college, cell by cell, 学号 as text with its leading zero', async () => {
    const { students: list, summary } = wholeChaseList(service, { checkpointId: SCHOOL, timeZone: TZ });
    const file = await service.call('reports.chaseXlsx', { checkpointId: SCHOOL, timeZone: TZ });
    expect(file.fileName).toBe(t.xlsx.chaseFile('学生工作处离校点', summary.header.date));
    const wb = await read(file.base64);
    expect(wb.worksheets.map((w) => w.name)).toEqual([t.xlsx.infoSheet, ...summary.colleges]);
    const info = wb.getWorksheet(t.xlsx.infoSheet)!;
    expect(info.getCell(2, 2).value).toBe(demo.university);
    expect(info.getCell(4, 2).value).toBe('学生工作处离校点');
    expect(info.getCell(9, 2).value).toBe('counter-3');
    let leadingZero = 0;
    for (const college of summary.colleges) {
      const sheet = wb.getWorksheet(college)!;
      const rows = list.filter((s) => s.college === college);
      expect(sheet.rowCount).toBe(1 + rows.length);
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(sheet.getRow(1).font).toMatchObject({ bold: true });
      expect(sheet.autoFilter).toBe('A1:J1');
      rows.forEach((s, i) => {
        const row = sheet.getRow(i + 2);
        expect(Array.from({ length: 10 }, (_, c) => row.getCell(c + 1).value ?? null)).toEqual(expectedRow(s));
        const no = row.getCell(3);
        expect(typeof no.value).toBe('string');
        expect(no.numFmt).toBe('@');
        expect(row.getCell(7).numFmt).toBe('@');
        expect(String(row.getCell(7).value)).toMatch(/^\*{14}[\dX]{4}$/);
        if (s.studentNo.startsWith('0')) leadingZero++;
      });
    }
    expect(leadingZero).toBeGreaterThan(0);
    const raw = Buffer.from(file.base64, 'base64');
    for (const s of students.slice(0, 200)) expect(raw.includes(Buffer.from(s.idCard))).toBe(false);
  });

  it('puts a one-college list on one sheet and keeps to the filter', async () => {
    const filter = { college: held[0], dorm: '区' };
    const { students: list } = wholeChaseList(service, { checkpointId: SCHOOL, timeZone: TZ, filter });
    expect(list.length).toBeGreaterThan(0);
    const wb = await read((await service.call('reports.chaseXlsx', { checkpointId: SCHOOL, timeZone: TZ, filter })).base64);
    expect(wb.worksheets.map((w) => w.name)).toEqual([t.xlsx.infoSheet, t.xlsx.chaseSheet]);
    const sheet = wb.getWorksheet(t.xlsx.chaseSheet)!;
    expect(sheet.rowCount).toBe(1 + list.length);
    list.forEach((s, i) => expect(Array.from({ length: 10 }, (_, c) => sheet.getRow(i + 2).getCell(c + 1).value ?? null)).toEqual(expectedRow(s)));
  });

  it('writes an empty list as its header row', async () => {
    const wb = await read((await service.call('reports.chaseXlsx', { checkpointId: SCHOOL, timeZone: TZ, filter: { college: '没有这个学院' } })).base64);
    expect(wb.worksheets.map((w) => w.name)).toEqual([t.xlsx.infoSheet, t.xlsx.chaseSheet]);
    expect(wb.getWorksheet(t.xlsx.chaseSheet)!.rowCount).toBe(1);
  });
});
