import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { ListFileError, readStudentList, resolveStudentNo } from '../../src-main/excel/student-list';
import { writeListTemplate, writeRejectedRows } from '../../src-main/excel/list-files';

async function xlsx(build: (sheet: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  build(wb.addWorksheet('名单'), wb);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

describe('reading a student list (.xlsx)', () => {
  it('reads 学号, 状态 and 备注 and marks number cells', async () => {
    const data = await xlsx((s) => {
      s.addRow(['学号', '姓名', '状态', '备注']);
      s.addRow(['0803010103', '丁德卫', '通过', '']);
      s.addRow([803010104, '沈睿', '未通过', '学生证遗失']);
      s.addRow(['０８０３０１０１０５', '胡丹娟', '', '']);
    });
    const list = await readStudentList(data);
    expect(list.rows.map((r) => [r.rowNumber, r.studentNo, r.numeric, r.fullWidth, r.status, r.note, r.problem])).toEqual([
      [2, '0803010103', false, false, 'pass', '', null],
      [3, '803010104', true, false, 'reject', '学生证遗失', null],
      [4, '0803010105', false, true, 'pass', '', null],
    ]);
  });

  it('finds the header below a title row and reads formula results', async () => {
    const data = await xlsx((s) => {
      s.addRow(['2027届离校名单']);
      s.addRow(['序号', '学号']);
      s.addRow([1, { formula: '"0803"&"010103"', result: '0803010103' }]);
      s.addRow([2, { formula: '1/0', result: { error: '#DIV/0!' } }]);
    });
    const list = await readStudentList(data);
    expect(list.rows[0]).toMatchObject({ studentNo: '0803010103', problem: null });
    expect(list.rows[1]?.problem).toBe('学号单元格的公式出错');
  });

  it('flags merged 学号 cells, bad 状态 and a 未通过 without reason', async () => {
    const data = await xlsx((s) => {
      s.addRow(['学号', '状态', '备注']);
      s.addRow(['0803010103', '通过', '']);
      s.addRow(['', '通过', '']);
      s.mergeCells('A2:A3');
      s.addRow(['0803010104', '已办', '']);
      s.addRow(['0803010105', '未通过', '']);
    });
    const problems = (await readStudentList(data)).rows.map((r) => r.problem);
    expect(problems).toEqual([null, '学号单元格是合并单元格，请取消合并', '状态“已办”无法识别，只能是“通过”或“未通过”', '状态为“未通过”时必须在备注中写明原因']);
  });

  it('refuses files that are not xlsx, empty sheets and sheets without a 学号 column', async () => {
    await expect(readStudentList(new TextEncoder().encode('学号,姓名\n0803010103,丁德卫'))).rejects.toThrow(ListFileError);
    await expect(readStudentList(new TextEncoder().encode('学号,姓名'))).rejects.toThrow(/不是有效的 Excel/);
    await expect(readStudentList(await xlsx(() => undefined))).rejects.toThrow('表格是空的，没有找到任何数据行');
    await expect(readStudentList(await xlsx((s) => s.addRow(['学号'])))).rejects.toThrow('表格是空的');
    await expect(readStudentList(await xlsx((s) => s.addRow(['姓名', '班级'])))).rejects.toThrow(/找不到“学号”列/);
  });

  it('reads 50,000 rows', async () => {
    const data = await xlsx((s) => {
      s.addRow(['学号']);
      for (let i = 0; i < 50_000; i++) s.addRow([`08${String(i).padStart(8, '0')}`]);
    });
    const list = await readStudentList(data);
    expect(list.rows).toHaveLength(50_000);
    expect(list.rows[49_999]?.studentNo).toBe('0800049999');
  });
});

describe('resolving a 学号 that Excel turned into a number', () => {
  const roster = new Set(['0803010103', '803010103', '00803010104', '0803010104', '1203010101']);
  const exists = (no: string) => roster.has(no);

  it('takes an exact match first', () => {
    expect(resolveStudentNo({ studentNo: '803010103', numeric: true }, exists, [9, 10])).toEqual({ kind: 'exact', studentNo: '803010103' });
  });
  it('restores leading zeros when one length fits', () => {
    expect(resolveStudentNo({ studentNo: '1203010101', numeric: false }, exists, [10])).toEqual({ kind: 'exact', studentNo: '1203010101' });
    const r = resolveStudentNo({ studentNo: '803010104', numeric: true }, (n) => n === '0803010104', [10, 11]);
    expect(r).toEqual({ kind: 'restored', studentNo: '0803010104' });
  });
  it('asks when several lengths fit', () => {
    expect(resolveStudentNo({ studentNo: '803010104', numeric: true }, exists, [10, 11])).toEqual({
      kind: 'ambiguous',
      candidates: ['0803010104', '00803010104'],
    });
  });
  it('never pads text cells or unknown numbers', () => {
    expect(resolveStudentNo({ studentNo: '803010104', numeric: false }, exists, [10])).toEqual({ kind: 'unknown' });
    expect(resolveStudentNo({ studentNo: '999', numeric: true }, exists, [10])).toEqual({ kind: 'unknown' });
  });
});

describe('list files people open', () => {
  it('template keeps 学号 as text and round-trips through the reader', async () => {
    const list = await readStudentList(await writeListTemplate());
    expect(list.rows[0]).toMatchObject({ studentNo: '0803010103', numeric: false, status: 'pass' });
  });
  it('rejected rows carry the reason per row', async () => {
    const data = await writeRejectedRows([{ rowNumber: 7, raw: '0803', name: '', status: '通过', note: '', reason: '学号不存在' }]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(data) as unknown as ExcelJS.Buffer);
    const s = wb.worksheets[0]!;
    expect(s.getRow(1).values).toEqual([undefined, '原行号', '学号', '姓名', '状态', '备注', '未导入原因']);
    expect(s.getRow(2).values).toEqual([undefined, 7, '0803', '', '通过', '', '学号不存在']);
    expect(s.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });
});
