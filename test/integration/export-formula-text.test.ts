import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRoster } from '../../src-shared/demo/roster';
import { parseBatchDefinitionText } from '../../src-shared/domain/batch-definition';
import type { BatchDef } from '../../src-shared/domain/types';
import { reportZhCN as t } from '../../src-shared/i18n/report.zh-CN';
import { createReplica, type Replica } from '../../src-main/db';
import { createCounterService, type CounterService } from '../../src-main/counter/service';
import { writeRejectedRows } from '../../src-main/excel/list-files';
import { readStudentList } from '../../src-main/excel/student-list';
import { rosterTemplate } from '../../src-server/roster/write-roster-template';
import { readRosterBytes } from '../../src-server/roster/read-roster-file';
import { idCardFor } from '../../src-server/testing/fixtures';

/**
 * Every workbook the counter and the server write, opened again with exceljs as a reader would:
 * user text that a spreadsheet could run as a formula is a text cell with the guard in front,
 * and a 学号 with a leading zero is a text cell that keeps it.
 */

const demo = parseBatchDefinitionText(readFileSync(join(__dirname, '../../resources/demo-batch.json'), 'utf8'));
const EVIL_NAME = '=HYPERLINK("http://evil.example/","点我")';
const EVIL_NOTE = '+cmd|\' /C calc\'!A0';
const LEADING_ZERO = '0423010101';

let dir: string;
let replica: Replica;
let service: CounterService;

beforeAll(() => {
  const { students, initial } = generateRoster(demo, { seed: 3, size: 40 });
  const renamed = students[0]!.studentNo;
  students[0] = { ...students[0]!, studentNo: LEADING_ZERO, name: EVIL_NAME, dorm: '@宿舍' };
  const moved = initial.map((row) => (row.studentNo === renamed ? { ...row, studentNo: LEADING_ZERO } : row));
  dir = mkdtempSync(join(tmpdir(), 'lixiao-formula-'));
  replica = createReplica(join(dir, 'counter.db'), demo, students, moved, {
    deviceId: 'counter-f',
    operator: { id: 'op-1', name: '-王老师' },
    grants: demo.checkpoints.map((cp) => ({ checkpointId: cp.id, colleges: 'all' })),
    checkpointId: 'dorm',
  });
  service = createCounterService(replica, { now: () => new Date('2027-06-21T02:00:00.000Z') });
  service.call('steps.apply', { studentNo: LEADING_ZERO, stepId: 'dorm-clearance', action: 'reject', note: EVIL_NOTE });
});

afterAll(() => {
  replica.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(bytes: Uint8Array | string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'base64') : Buffer.from(bytes);
  await wb.xlsx.load(new Uint8Array(buffer).buffer);
  return wb;
}

/** Every cell of the workbook whose text (guard aside) is the given text. */
function cellsHolding(wb: ExcelJS.Workbook, text: string): ExcelJS.Cell[] {
  const found: ExcelJS.Cell[] = [];
  for (const sheet of wb.worksheets) {
    sheet.eachRow((row) => row.eachCell((cell) => {
      if (typeof cell.value === 'string' && cell.value.replace(/^'/, '') === text) found.push(cell);
      if (cell.formula !== undefined && cell.formula.includes(text.slice(1, 10))) found.push(cell);
    }));
  }
  return found;
}

function expectGuardedText(wb: ExcelJS.Workbook, text: string): void {
  const cells = cellsHolding(wb, text);
  expect(cells.length, `no cell holds ${text}`).toBeGreaterThan(0);
  for (const cell of cells) {
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.formula).toBeUndefined();
    expect(cell.value).toBe(`'${text}`);
  }
}

function expectStudentNoText(wb: ExcelJS.Workbook): void {
  const cells = cellsHolding(wb, LEADING_ZERO);
  expect(cells.length).toBeGreaterThan(0);
  for (const cell of cells) {
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.value).toBe(LEADING_ZERO);
    expect(cell.numFmt).toBe('@');
  }
}

describe('workbooks guard formula-like user text', () => {
  it('the daily report: the student name, the 备注 and the operator name are text cells, 学号 keeps its zero', async () => {
    const file = await service.call('reports.dailyXlsx', { checkpointId: 'dorm', date: '2027-06-21', timeZone: 'Asia/Shanghai' });
    const wb = await open(file.base64);
    expectGuardedText(wb, EVIL_NAME);
    expectGuardedText(wb, EVIL_NOTE);
    expectGuardedText(wb, '-王老师');
    expectStudentNoText(wb);
  });

  it('the chase list: name and dorm guarded, 学号 and the ID mask stay text cells', async () => {
    const file = await service.call('reports.chaseXlsx', { checkpointId: 'dorm', timeZone: 'Asia/Shanghai' });
    const wb = await open(file.base64);
    expectGuardedText(wb, EVIL_NAME);
    expectGuardedText(wb, '@宿舍');
    expectStudentNoText(wb);
    const studentNo = cellsHolding(wb, LEADING_ZERO)[0]!;
    const header = studentNo.worksheet.getRow(1).values as unknown[];
    const mask = studentNo.worksheet.getRow(Number(studentNo.row)).getCell(header.indexOf(t.col.idCard));
    expect(mask.value).toMatch(/\*/);
    expect(mask.type).toBe(ExcelJS.ValueType.String);
    expect(mask.numFmt).toBe('@');
  });

  it('the rows an import refused: guarded when written, and read back as they were for a second import', async () => {
    const bytes = await writeRejectedRows([{ rowNumber: 2, raw: '=1+1', name: '@张三', status: '通过', note: '-已交押金', reason: '学号不存在' }]);
    const wb = await open(bytes);
    for (const text of ['=1+1', '@张三', '-已交押金']) expectGuardedText(wb, text);
    const list = await readStudentList(bytes);
    expect(list.rows[0]).toMatchObject({ raw: '=1+1', note: '-已交押金' });
  });

  it('the roster template: a flag column named like a formula is guarded and still recognised when the roster comes back', async () => {
    const def: BatchDef = { ...demo, flags: [...demo.flags, { key: '=借用', label: '-借用了东西' }] };
    const template = rosterTemplate(def);
    const bytes = Buffer.from(await template.xlsx.writeBuffer());
    const wb = await open(bytes);
    expectGuardedText(wb, '=借用');
    const sheet = template.getWorksheet('花名册')!;
    const flagCount = def.flags.length;
    sheet.addRow(['0423010101', '张三', '男', '商学院', '会计学', '23会计1班', null, idCardFor(1), '否', ...Array.from({ length: flagCount - 1 }, () => '否'), '是']);
    const roster = await readRosterBytes(new Uint8Array(await template.xlsx.writeBuffer()), '花名册.xlsx', def);
    expect(roster.fileProblems).toEqual([]);
    expect(roster.rowProblems).toEqual([]);
    expect(roster.students[0]!.flags['=借用']).toBe(true);
    expect(roster.students[0]!.studentNo).toBe('0423010101');
  });
});
