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

  it('refuses files that are not tables, empty sheets and sheets without a 学号 column', async () => {
    await expect(readStudentList(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0]))).rejects.toThrow(ListFileError);
    await expect(readStudentList(new TextEncoder().encode('学号,姓名'))).rejects.toThrow('表格是空的');
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

/** `'学号,姓名,状态,备注\r\n803010103,丁德卫,通过,\r\n０８０３０１０１０４,张三,未通过,"欠费, 未缴"\r\n'.encode('gbk')` in Python: what WPS saves as CSV. */
const GBK_CSV = Buffer.from(
  'd1a7bac52cd0d5c3fb2cd7b4ccac2cb1b8d7a20d0a3830333031303130332cb6a1b5c2cec02ccda8b9fd2c0d0aa3b0a3b8a3b0a3b3a3b0a3b1a3b0a3b1a3b0a3b42cd5c5c8fd2cceb4cda8b9fd2c22c7b7b7d12c20ceb4bdc9220d0a',
  'hex',
);

/** The start of every .ods: a zip whose first entry, stored uncompressed, is its mimetype. */
function odsHead(): Uint8Array {
  const name = Buffer.from('mimetype');
  const body = Buffer.from('application/vnd.oasis.opendocument.spreadsheet');
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt32LE(body.length, 18);
  header.writeUInt32LE(body.length, 22);
  header.writeUInt16LE(name.length, 26);
  return Buffer.concat([header, name, body, Buffer.alloc(64)]);
}

describe('reading a student list from CSV, and the formats that are named instead', () => {
  const rowsOf = async (bytes: Uint8Array) =>
    (await readStudentList(bytes)).rows.map((r) => [r.rowNumber, r.studentNo, r.numeric, r.fullWidth, r.status, r.note, r.problem]);
  const expected = [
    [2, '803010103', true, false, 'pass', '', null],
    [3, '0803010104', false, true, 'reject', '欠费, 未缴', null],
  ];
  const utf8 = '学号,姓名,状态,备注\r\n803010103,丁德卫,通过,\r\n０８０３０１０１０４,张三,未通过,"欠费, 未缴"\r\n';

  it('reads UTF-8, UTF-8 with a BOM and GBK alike: numbers as Excel left them, full-width digits, quoted commas', async () => {
    expect(await rowsOf(new TextEncoder().encode(utf8))).toEqual(expected);
    expect(await rowsOf(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(utf8)]))).toEqual(expected);
    expect(await rowsOf(GBK_CSV)).toEqual(expected);
    expect(await rowsOf(new TextEncoder().encode(utf8.replaceAll(',', '\t').replace('"欠费\t 未缴"', '"欠费, 未缴"')))).toEqual(expected);
  });

  it('repairs a CSV 学号 that lost its leading zero as it repairs an .xlsx number cell', async () => {
    const [row] = (await readStudentList(GBK_CSV)).rows;
    expect(resolveStudentNo(row!, (no) => no === '0803010103', [10])).toEqual({ kind: 'restored', studentNo: '0803010103' });
  });

  it('keeps long digit runs (身份证号) and zero-led 学号 as the text they are', async () => {
    const list = await readStudentList(new TextEncoder().encode('学号,备注\n0803010103,110101199003070011\n'));
    expect(list.rows.map((r) => [r.studentNo, r.numeric, r.note])).toEqual([['0803010103', false, '110101199003070011']]);
  });

  it('names .xls and .ods and says how to save them as .xlsx; anything else is not a table', async () => {
    const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
    await expect(readStudentList(xls)).rejects.toThrow('这是旧版 Excel 97-2003 (.xls) 文件，无法直接读取：请在 Excel 或 WPS 中打开，“另存为”选择“Excel 工作簿 (.xlsx)”后再导入');
    await expect(readStudentList(odsHead())).rejects.toThrow('这是 OpenDocument (.ods) 表格（LibreOffice、WPS 保存），无法直接读取');
    await expect(readStudentList(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]))).rejects.toThrow('文件不是可读取的表格');
    await expect(readStudentList(Buffer.from('PK\x03\x04 not really a zip'))).rejects.toThrow('文件不是可读取的表格');
  });
});
