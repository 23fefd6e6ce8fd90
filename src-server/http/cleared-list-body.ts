import { clearedListJsonSchema, INTEGRATION_BULK_MAX_ITEMS } from '../../src-shared/contract/sync';
import { studentNoField } from '../../src-shared/contract/text-rule';
import { loadSpreadsheet, UnreadableSpreadsheet } from '../../src-shared/tables/spreadsheet-file';
import { HttpError, parseInput } from './http-error';

const UNREADABLE: Record<UnreadableSpreadsheet['kind'], string> = {
  xls: '这是旧版 .xls 文件，请在 Excel 或 WPS 中另存为 .xlsx 或 CSV 后再提交',
  ods: '这是 .ods 文件，请在 LibreOffice 中另存为 .xlsx 或 CSV 后再提交',
  notSpreadsheet: '无法读取名单：请提交 JSON、CSV（UTF-8 或 GBK）或 .xlsx',
};

/**
 * The 学号 of a full list, from JSON (`{ "studentNos": [...] }`) or from a CSV / xlsx file whose
 * first column holds them. Every bad row is named; a numeric cell is refused, since Excel has
 * already dropped its leading zeros and the 学号 it shows may not be the student's.
 */
export async function clearedListStudentNos(body: unknown): Promise<string[]> {
  if (!(body instanceof Uint8Array)) return parseInput(clearedListJsonSchema, body, '名单').studentNos;
  let sheet;
  try {
    sheet = await loadSpreadsheet(body);
  } catch (e) {
    if (e instanceof UnreadableSpreadsheet) throw new HttpError(400, 'bad_request', UNREADABLE[e.kind]);
    throw e;
  }
  const worksheet = sheet.workbook.worksheets[0];
  const studentNos: string[] = [];
  const issues: { path: string; message: string }[] = [];
  worksheet?.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const value = row.getCell(1).value;
    if (value === null || value === undefined || value === '') return;
    if (typeof value === 'number') {
      issues.push({ path: `第 ${rowNumber} 行`, message: '学号是数字单元格（Excel 会去掉开头的 0），请把学号列设为文本后重新导出' });
      return;
    }
    const text = typeof value === 'string' ? value : String(row.getCell(1).text);
    if (rowNumber === 1 && text.trim() === '学号') return;
    const parsed = studentNoField.safeParse(text);
    if (parsed.success) studentNos.push(parsed.data);
    else issues.push({ path: `第 ${rowNumber} 行`, message: parsed.error.issues[0]?.message ?? '学号无效' });
  });
  if (studentNos.length > INTEGRATION_BULK_MAX_ITEMS) throw new HttpError(400, 'bad_request', `名单最多 ${INTEGRATION_BULK_MAX_ITEMS} 个学号`);
  if (issues.length > 0) {
    throw new HttpError(400, 'bad_request', `名单有 ${issues.length} 行无法使用，整个名单未生效：${issues.slice(0, 3).map((i) => `${i.path}：${i.message}`).join('；')}`, { issues });
  }
  return studentNos;
}
