import ExcelJS from 'exceljs';
import { toHalfWidth } from '../../src-shared/scan/classify';
import { excelZhCN as t } from '../../src-shared/i18n/excel.zh-CN';
import { textRuleMessage } from '../../src-shared/contract/text-rule';
import { loadSpreadsheet, UnreadableSpreadsheet } from '../../src-shared/tables/spreadsheet-file';
import { unguardFormulaText } from '../../src-shared/tables/formula-text';

/** A student list read from an .xlsx or a CSV (导入名单): one row per 学号, with an optional 状态 and 备注. */
export interface ListRow {
  /** The Excel row number, for messages the operator can find in the file. */
  rowNumber: number;
  /** The text as Excel shows it. */
  raw: string;
  /** Half-width, trimmed; empty when the cell is empty. */
  studentNo: string;
  /** Stored as a number: Excel may have dropped leading zeros. */
  numeric: boolean;
  fullWidth: boolean;
  status: 'pass' | 'reject';
  note: string;
  /** A problem found while reading the row; such a row is never applied. */
  problem: string | null;
}

export interface StudentList {
  sheetName: string;
  rows: ListRow[];
}

export class ListFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListFileError';
  }
}

export const MAX_LIST_ROWS = 60_000;

const STUDENT_NO_HEADERS = new Set(['学号', '学生学号', 'xh', '学号(必填)', '学号（必填）']);
const STATUS_HEADERS = new Set(['状态', '办理状态', '结果']);
const NOTE_HEADERS = new Set(['备注', '说明', '原因']);

function cellText(cell: ExcelJS.Cell): { text: string; numeric: boolean; error: boolean } {
  const v = cell.value;
  if (v === null || v === undefined) return { text: '', numeric: false, error: false };
  if (typeof v === 'number') return { text: Number.isInteger(v) ? v.toFixed(0) : String(v), numeric: true, error: false };
  if (typeof v === 'string') return { text: unguardFormulaText(v), numeric: false, error: false };
  if (typeof v === 'boolean' || v instanceof Date) return { text: cell.text, numeric: false, error: false };
  if ('formula' in v || 'sharedFormula' in v) {
    const result = (v as ExcelJS.CellFormulaValue).result;
    if (result === undefined || result === null) return { text: '', numeric: false, error: false };
    if (typeof result === 'object' && 'error' in result) return { text: '', numeric: false, error: true };
    if (typeof result === 'number') return { text: Number.isInteger(result) ? result.toFixed(0) : String(result), numeric: true, error: false };
    return { text: String(result), numeric: false, error: false };
  }
  if ('richText' in v) return { text: v.richText.map((r) => r.text).join(''), numeric: false, error: false };
  if ('error' in v) return { text: '', numeric: false, error: true };
  return { text: cell.text, numeric: false, error: false };
}

function normaliseHeader(text: string): string {
  return toHalfWidth(text).replace(/\s+/g, '').toLowerCase();
}

/** Reads the first sheet that has a 学号 column (a CSV is one sheet); header is searched in the first 10 rows. */
export async function readStudentList(data: ArrayBuffer | Uint8Array): Promise<StudentList> {
  let workbook: ExcelJS.Workbook;
  let format: 'xlsx' | 'csv';
  try {
    ({ workbook, format } = await loadSpreadsheet(data instanceof Uint8Array ? data : new Uint8Array(data)));
  } catch (e) {
    if (e instanceof UnreadableSpreadsheet) throw new ListFileError(t.unreadable[e.kind]);
    throw e;
  }
  let anyData = false;
  for (const sheet of workbook.worksheets) {
    if (sheet.actualRowCount > 0) anyData = true;
    for (let r = 1; r <= Math.min(10, sheet.rowCount); r++) {
      const header = sheet.getRow(r);
      let noCol = 0;
      let statusCol = 0;
      let noteCol = 0;
      header.eachCell((cell, col) => {
        const h = normaliseHeader(cell.text);
        if (!noCol && STUDENT_NO_HEADERS.has(h)) noCol = col;
        else if (!statusCol && STATUS_HEADERS.has(h)) statusCol = col;
        else if (!noteCol && NOTE_HEADERS.has(h)) noteCol = col;
      });
      if (!noCol) continue;
      const dataRows = sheet.rowCount - r;
      if (dataRows > MAX_LIST_ROWS) throw new ListFileError(t.tooManyRows(MAX_LIST_ROWS, dataRows));
      const rows: ListRow[] = [];
      for (let i = r + 1; i <= sheet.rowCount; i++) {
        const row = sheet.getRow(i);
        if (!row.hasValues) continue;
        rows.push(readRow(row, i, noCol, statusCol, noteCol, format));
      }
      if (rows.length === 0) throw new ListFileError(t.empty);
      return { sheetName: sheet.name, rows };
    }
  }
  throw new ListFileError(anyData ? t.noStudentNoColumn : t.empty);
}

/**
 * A CSV has no cell types, and one that went through Excel has lost its leading zeros without a
 * trace: a digit-only 学号 not starting with 0 may be such a number. Marking it numeric only
 * lets resolveStudentNo try the zero-padded 学号 when the 学号 as written is nobody's.
 */
const MAYBE_STRIPPED = /^[1-9]\d*$/;

function readRow(row: ExcelJS.Row, rowNumber: number, noCol: number, statusCol: number, noteCol: number, format: 'xlsx' | 'csv'): ListRow {
  const cell = row.getCell(noCol);
  const { text, numeric: numberCell, error } = cellText(cell);
  const numeric = numberCell || (format === 'csv' && MAYBE_STRIPPED.test(text.trim()));
  const half = toHalfWidth(text).trim();
  const statusText = statusCol ? toHalfWidth(row.getCell(statusCol).text).trim() : '';
  const note = noteCol ? unguardFormulaText(row.getCell(noteCol).text.trim()).normalize('NFC') : '';
  let problem: string | null = null;
  let status: ListRow['status'] = 'pass';
  if (statusText === t.statusReject) status = 'reject';
  else if (statusText !== '' && statusText !== t.statusPass) problem = t.badStatus(statusText);
  if (cell.isMerged && cell.master.address !== cell.address) problem = t.mergedCell;
  else if (error) problem = t.formulaError;
  else if (!half) problem = t.emptyStudentNo;
  else if (status === 'reject' && !note) problem = t.rejectReasonMissing;
  problem ??= textRuleMessage('学号', half) ?? textRuleMessage('备注', note);
  return { rowNumber, raw: text, studentNo: half, numeric, fullWidth: half !== text.trim(), status, note, problem };
}

export type Resolution =
  | { kind: 'exact'; studentNo: string }
  | { kind: 'restored'; studentNo: string }
  | { kind: 'ambiguous'; candidates: string[] }
  | { kind: 'unknown' };

/**
 * Maps a row's 学号 to a roster 学号. A number cell that lost its leading zeros is padded to
 * each 学号 length the roster uses; one match restores it, several must be asked.
 */
export function resolveStudentNo(
  row: Pick<ListRow, 'studentNo' | 'numeric'>,
  exists: (studentNo: string) => boolean,
  rosterLengths: readonly number[],
): Resolution {
  if (exists(row.studentNo)) return { kind: 'exact', studentNo: row.studentNo };
  if (!row.numeric || !/^\d+$/.test(row.studentNo)) return { kind: 'unknown' };
  const candidates = rosterLengths
    .filter((len) => len > row.studentNo.length)
    .map((len) => row.studentNo.padStart(len, '0'))
    .filter(exists);
  if (candidates.length === 1) return { kind: 'restored', studentNo: candidates[0]! };
  if (candidates.length > 1) return { kind: 'ambiguous', candidates };
  return { kind: 'unknown' };
}
