import ExcelJS from 'exceljs';
import type { BatchDef } from '../../src-shared/domain/types';
import { guardFormulaRow } from '../../src-shared/tables/formula-text';
import { rosterHeaders, TEXT_COLUMNS } from './roster-columns';

const TEMPLATE_ROWS = 5000;

/** exceljs supports range validations at runtime but leaves them out of its type definitions. */
interface RangeValidations {
  dataValidations: { add(range: string, validation: ExcelJS.DataValidation): void };
}

/**
 * The roster template for a batch: the fixed columns plus one per flag, 学号 and 身份证号
 * formatted as text, yes/no lists for 往届 and the flags, and a sheet explaining each column.
 */
export async function writeRosterTemplate(def: BatchDef, outPath: string): Promise<void> {
  await rosterTemplate(def).xlsx.writeFile(outPath);
}

/** The template workbook, for the CLI's file and the console's download. */
export function rosterTemplate(def: BatchDef): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('花名册');
  const headers = rosterHeaders(def);
  // Flag columns are named in the batch definition, text an administrator wrote.
  sheet.addRow(guardFormulaRow(headers)).font = { bold: true };
  headers.forEach((header, i) => {
    const column = sheet.getColumn(i + 1);
    column.width = header === '身份证号' ? 22 : header === '学号' ? 14 : Math.max(8, header.length * 2 + 4);
    if (TEXT_COLUMNS.has(header)) column.numFmt = '@';
    const letter = column.letter;
    const list = header === '性别' ? '"男,女"' : header === '往届' || i >= 9 ? '"是,否"' : null;
    if (list) {
      (sheet as unknown as RangeValidations).dataValidations.add(`${letter}2:${letter}${TEMPLATE_ROWS}`, {
        type: 'list',
        allowBlank: true,
        formulae: [list],
        showErrorMessage: true,
        errorTitle: header,
        error: header === '性别' ? '请填写“男”或“女”' : '请填写“是”或“否”',
      });
    }
  });
  sheet.views = [{ state: 'frozen', ySplit: 1 }];

  const help = workbook.addWorksheet('填写说明');
  help.addRow(['列', '说明']).font = { bold: true };
  help.addRows([
    ['学号', '必填，文本格式（不要让 Excel 去掉开头的 0）；不能重复'],
    ['姓名', '必填'],
    ['性别', '必填，“男”或“女”'],
    ['学院', '必填，与学院离校点的授权名称一致'],
    ['专业', '必填'],
    ['班级', '必填'],
    ['宿舍', '可空，如“16栋-302”'],
    ['身份证号', '必填，18 位，文本格式；校验位会被检查；系统不保存完整号码，只保存后 6 位（用于查询）和 1 位加密校验'],
    ['往届', '“是”或“否”，空白表示否'],
    ...def.flags.map((f) => guardFormulaRow([f.key, `${f.label}：“是”或“否”，空白表示否`])),
  ]);
  help.getColumn(1).width = 14;
  help.getColumn(2).width = 80;
  return workbook;
}
