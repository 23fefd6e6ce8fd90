import ExcelJS from 'exceljs';
import type { BatchDef } from '../../src-shared/domain/types';
import { rosterHeaders } from '../roster/roster-columns';
import { idCardFor } from './fixtures';

export type RosterCell = string | number | null;

/** A roster .xlsx as an administrator fills it: the template's header row, then these rows. */
export async function rosterWorkbookBytes(def: BatchDef, rows: RosterCell[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('花名册');
  sheet.addRow(rosterHeaders(def));
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** One roster row (text 学号 and 身份证号, no flags set) for rosterWorkbookBytes. */
export function rosterRow(def: BatchDef, studentNo: string, college: string, className: string, serial: number): RosterCell[] {
  return [studentNo, `学生${studentNo.slice(-3)}`, '女', college, '软件工程', className, null, idCardFor(serial), '否', ...def.flags.map(() => '否')];
}
