import { readFile } from 'node:fs/promises';
import type ExcelJS from 'exceljs';
import { unguardFormulaText } from '../../src-shared/tables/formula-text';
import { excelZhCN } from '../../src-shared/i18n/excel.zh-CN';
import { loadSpreadsheet, UnreadableSpreadsheet } from '../../src-shared/tables/spreadsheet-file';
import { isValidIdCard, maskIdCard, toHalfWidth } from '../../src-shared/scan/classify';
import { textRuleMessage } from '../../src-shared/contract/text-rule';
import type { BatchDef, RosterStudent } from '../../src-shared/domain/types';
import { OPTIONAL_COLUMNS, ROSTER_COLUMNS, type RosterColumn } from './roster-columns';

export interface RowProblem {
  /** The Excel row number, as the administrator sees it. */
  row: number;
  messages: string[];
}

export interface RosterFile {
  students: RosterStudent[];
  /** Problems of the file as a whole (columns); nothing can be imported while there are any. */
  fileProblems: string[];
  rowProblems: RowProblem[];
}

export class RosterFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RosterFileError';
  }
}

const STUDENT_NO = /^[0-9A-Za-z]{4,32}$/;
const YES = new Set(['是', 'y', 'yes', 'true', '1', '√', '✓']);
const NO = new Set(['否', '', 'n', 'no', 'false', '0', '×']);

interface CellText {
  text: string;
  /** A number cell: for 学号 and 身份证号 that means Excel already changed the value. */
  numeric: boolean;
}

function cellText(cell: ExcelJS.Cell): CellText {
  const v = cell.value;
  if (v === null || v === undefined) return { text: '', numeric: false };
  if (typeof v === 'number') return { text: Number.isInteger(v) ? v.toFixed(0) : String(v), numeric: true };
  if (typeof v === 'string') return { text: v, numeric: false };
  if (typeof v === 'boolean') return { text: v ? '是' : '否', numeric: false };
  if (v instanceof Date) return { text: cell.text, numeric: false };
  if ('richText' in v) return { text: v.richText.map((r) => r.text).join(''), numeric: false };
  if ('formula' in v || 'sharedFormula' in v) {
    const result = (v as ExcelJS.CellFormulaValue).result;
    if (typeof result === 'number') return { text: String(result), numeric: true };
    return { text: result === undefined || result === null || typeof result === 'object' ? '' : String(result), numeric: false };
  }
  return { text: cell.text, numeric: false };
}

const clean = (text: string) => toHalfWidth(text).trim().normalize('NFC');

/**
 * Reads and validates a roster (.xlsx or CSV) against a batch: every problem is reported with its row,
 * and the valid rows are returned normalised (half-width, trimmed, 身份证号 upper-case).
 */
export async function readRosterFile(path: string, def: BatchDef): Promise<RosterFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RosterFileError(code === 'ENOENT' ? `找不到文件：${path}` : `无法读取文件：${path}（${code ?? (e as Error).message}）`);
  }
  return readRosterBytes(bytes, path, def);
}

/** The same, for a file uploaded in the console (its bytes; `name` is what the admin chose). */
export async function readRosterBytes(bytes: Uint8Array, name: string, def: BatchDef): Promise<RosterFile> {
  let workbook: ExcelJS.Workbook;
  try {
    ({ workbook } = await loadSpreadsheet(bytes));
  } catch (e) {
    if (e instanceof UnreadableSpreadsheet) throw new RosterFileError(`「${name}」：${excelZhCN.unreadable[e.kind]}`);
    throw e;
  }
  return validateRoster(workbook, def);
}

function validateRoster(workbook: ExcelJS.Workbook, def: BatchDef): RosterFile {
  const sheet = workbook.worksheets[0];
  if (!sheet || sheet.actualRowCount === 0) throw new RosterFileError('表格是空的：第一个工作表没有任何内容');

  const fileProblems: string[] = [];
  const columns = new Map<string, number>();
  const flagByHeader = new Map<string, string>();
  for (const f of def.flags) {
    flagByHeader.set(f.key, f.key);
    flagByHeader.set(f.label, f.key);
  }
  const flagColumns = new Map<string, number>();
  sheet.getRow(1).eachCell((cell, col) => {
    // The template guards a flag column named like a formula (write-roster-template.ts).
    const header = unguardFormulaText(clean(cellText(cell).text)).replace(/\s+/g, '');
    if (header === '') return;
    if ((ROSTER_COLUMNS as readonly string[]).includes(header)) {
      if (columns.has(header)) fileProblems.push(`第 1 行：列「${header}」出现了两次`);
      columns.set(header, col);
      return;
    }
    const flag = flagByHeader.get(header);
    if (flag === undefined) {
      const known = def.flags.map((f) => f.key).join('、') || '（无）';
      fileProblems.push(`第 1 行：未知的标记列「${header}」，本批次的标记列有：${known}`);
    } else if (flagColumns.has(flag)) fileProblems.push(`第 1 行：标记列「${flag}」出现了两次`);
    else flagColumns.set(flag, col);
  });
  for (const column of ROSTER_COLUMNS) {
    if (!OPTIONAL_COLUMNS.has(column) && !columns.has(column)) fileProblems.push(`第 1 行：缺少必填列「${column}」`);
  }
  for (const f of def.flags) {
    if (!flagColumns.has(f.key)) fileProblems.push(`第 1 行：缺少标记列「${f.key}」（${f.label}）`);
  }
  if (fileProblems.length > 0) return { students: [], fileProblems, rowProblems: [] };

  const students: RosterStudent[] = [];
  const rowProblems: RowProblem[] = [];
  const seenNo = new Map<string, number>();
  const seenId = new Map<string, number>();
  for (let r = 2; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const get = (column: RosterColumn): CellText => {
      const col = columns.get(column);
      return col ? cellText(row.getCell(col)) : { text: '', numeric: false };
    };
    const all = [...columns.values(), ...flagColumns.values()].map((c) => clean(cellText(row.getCell(c)).text));
    if (all.every((t) => t === '')) continue;

    const messages: string[] = [];
    const required = (column: RosterColumn): string => {
      const value = clean(get(column).text);
      if (value === '') messages.push(`「${column}」不能为空`);
      return value;
    };
    const yesNo = (label: string, raw: string): boolean => {
      const value = clean(raw).toLowerCase();
      if (YES.has(value)) return true;
      if (NO.has(value)) return false;
      messages.push(`「${label}」只能填"是"或"否"，不能是「${raw}」`);
      return false;
    };

    const noCell = get('学号');
    const studentNo = clean(noCell.text);
    if (noCell.numeric) {
      messages.push(`学号 ${studentNo} 是数字格式的单元格，Excel 可能去掉了开头的 0；请把学号列设为"文本"格式后重新填写`);
    } else if (studentNo === '') messages.push('「学号」不能为空');
    else if (!STUDENT_NO.test(studentNo)) messages.push(`学号「${studentNo}」格式不正确：只能是 4–32 位数字或字母`);
    else if (seenNo.has(studentNo)) messages.push(`学号 ${studentNo} 与第 ${seenNo.get(studentNo)} 行重复`);
    else seenNo.set(studentNo, r);

    const name = required('姓名');
    const gender = required('性别');
    if (gender !== '' && gender !== '男' && gender !== '女') messages.push(`「性别」只能是"男"或"女"，不能是「${gender}」`);
    const college = required('学院');
    const major = required('专业');
    const className = required('班级');
    const dorm = clean(get('宿舍').text);
    for (const [label, value] of [['姓名', name], ['学院', college], ['专业', major], ['班级', className], ['宿舍', dorm]] as const) {
      const problem = textRuleMessage(label, value);
      if (problem) messages.push(problem);
    }

    const idCell = get('身份证号');
    const idCard = clean(idCell.text).replace(/\s+/g, '').toUpperCase();
    if (idCell.numeric) {
      messages.push('身份证号是数字格式的单元格，Excel 只保留 15 位有效数字，号码已经失真；请把该列设为"文本"格式后重新填写');
    } else if (idCard === '') messages.push('「身份证号」不能为空');
    // Masked even when malformed: these messages reach the terminal, the console and its log.
    else if (!/^\d{17}[\dX]$/.test(idCard)) messages.push(`身份证号「${maskIdCard(idCard)}」应为 18 位数字（最后一位可以是 X）`);
    else if (!isValidIdCard(idCard)) messages.push(`身份证号「${maskIdCard(idCard)}」校验位不正确，请核对`);
    else if (seenId.has(idCard)) messages.push(`身份证号与第 ${seenId.get(idCard)} 行重复`);
    else seenId.set(idCard, r);

    const isPrevious = yesNo('往届', get('往届').text);
    const flags: Record<string, boolean> = {};
    for (const [flag, col] of flagColumns) flags[flag] = yesNo(flag, cellText(row.getCell(col)).text);

    if (messages.length > 0) {
      rowProblems.push({ row: r, messages });
      continue;
    }
    students.push({
      studentNo,
      name,
      gender: gender as '男' | '女',
      college,
      major,
      className,
      dorm: dorm === '' ? null : dorm,
      idCard,
      isPrevious,
      flags,
    });
  }
  if (students.length === 0 && rowProblems.length === 0) fileProblems.push('表格中没有任何学生数据行');
  return { students, fileProblems, rowProblems };
}

/** "第 3 行：学号 … ；身份证号 …" — one line per row with problems. */
export function formatRowProblems(problems: RowProblem[]): string[] {
  return problems.map((p) => `第 ${p.row} 行：${p.messages.join('；')}`);
}
