import ExcelJS from 'exceljs';
import { excelZhCN as t } from '../../src-shared/i18n/excel.zh-CN';
import { guardFormulaRow } from '../../src-shared/tables/formula-text';

/** A header row people can read: bold, shaded, frozen, with widths that fit Chinese text. */
/** The header row frozen at the top; a streamed sheet takes it when created, as its views cannot change later. */
export const FROZEN_HEADER: Partial<ExcelJS.WorksheetView>[] = [{ state: 'frozen', ySplit: 1 }];

export function styleHeaderRow(header: ExcelJS.Row): void {
  header.font = { bold: true };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8F0F7' } };
  header.alignment = { vertical: 'middle' };
}

export function styleHeader(sheet: ExcelJS.Worksheet, widths: number[]): void {
  styleHeaderRow(sheet.getRow(1));
  sheet.views = FROZEN_HEADER;
  widths.forEach((w, i) => (sheet.getColumn(i + 1).width = w));
}

async function toBytes(workbook: ExcelJS.Workbook): Promise<Uint8Array> {
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

/** The 导入名单 template: 学号 formatted as text so Excel keeps leading zeros. */
export async function writeListTemplate(): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(t.templateSheet);
  sheet.addRow([t.headers.studentNo, t.headers.name, t.headers.status, t.headers.note]);
  styleHeader(sheet, [16, 12, 10, 40]);
  sheet.getColumn(1).numFmt = '@';
  sheet.addRow(['0803010103', '丁德卫', t.statusPass, '']);
  sheet.getCell('F1').value = t.templateHint;
  sheet.getColumn(6).width = 60;
  sheet.getCell('F1').alignment = { wrapText: true, vertical: 'top' };
  return toBytes(workbook);
}

export interface RejectedRow {
  rowNumber: number;
  raw: string;
  name: string;
  status: string;
  note: string;
  reason: string;
}

/** The rows an import did not take, each with its reason, so the desk can fix and re-import. */
export async function writeRejectedRows(rows: RejectedRow[]): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(t.rejectedSheet);
  sheet.addRow([t.headers.row, t.headers.studentNo, t.headers.name, t.headers.status, t.headers.note, t.headers.reason]);
  styleHeader(sheet, [8, 16, 12, 10, 30, 50]);
  sheet.getColumn(2).numFmt = '@';
  for (const r of rows) sheet.addRow(guardFormulaRow([r.rowNumber, r.raw, r.name, r.status, r.note, r.reason]));
  return toBytes(workbook);
}
