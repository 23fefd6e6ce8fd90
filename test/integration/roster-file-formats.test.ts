import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { generateRoster } from '../../src-shared/demo/roster';
import type { RosterStudent } from '../../src-shared/domain/types';
import { loadDemoBatch } from '../../src-main/demo/demo-replica';
import { readRosterFile } from '../../src-server/roster/read-roster-file';
import { rosterHeaders } from '../../src-server/roster/roster-columns';
import { gbkEncoder } from '../fixtures/gbk';

/**
 * The server's roster import (issue 16) reads a CSV from a library or finance system, in UTF-8
 * with or without a BOM or in GBK as Chinese Excel and WPS save it, exactly as it reads the
 * same table saved as .xlsx: same students, same row problems.
 */

const batch = loadDemoBatch();
const dir = mkdtempSync(join(tmpdir(), 'lixiao-roster-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cellsOf(s: RosterStudent): string[] {
  return [s.studentNo, s.name, s.gender, s.college, s.major, s.className, s.dorm ?? '', s.idCard, s.isPrevious ? '是' : '否', ...batch.flags.map((f) => (s.flags[f.key] ? '是' : '否'))];
}

const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
const csvOf = (rows: string[][]) => rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';

async function writeXlsx(path: string, rows: (string | number)[][]): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('花名册');
  for (const row of rows) sheet.addRow(row);
  await workbook.xlsx.writeFile(path);
}

describe('roster files: CSV in UTF-8, UTF-8 with BOM and GBK read as the .xlsx', () => {
  const encodeGbk = gbkEncoder();
  // GBK has no code for the demo roster's few names outside the BMP; such a file could not be saved in GBK.
  const students = generateRoster(batch, { seed: 5, size: 60 })
    .students.filter((s) => {
      try {
        encodeGbk(cellsOf(s).join(''));
        return true;
      } catch {
        return false;
      }
    })
    .slice(0, 40);
  const rows = [rosterHeaders(batch), ...students.map(cellsOf)];

  it('gives the same students from every format', async () => {
    const xlsxPath = join(dir, 'roster.xlsx');
    await writeXlsx(xlsxPath, rows);
    const fromXlsx = await readRosterFile(xlsxPath, batch);
    expect(fromXlsx.fileProblems).toEqual([]);
    expect(fromXlsx.rowProblems).toEqual([]);
    expect(fromXlsx.students).toHaveLength(40);

    const text = csvOf(rows);
    const encodings = { utf8: Buffer.from(text), bom: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), gbk: encodeGbk(text) };
    for (const [name, bytes] of Object.entries(encodings)) {
      const path = join(dir, `roster-${name}.csv`);
      writeFileSync(path, bytes);
      const fromCsv = await readRosterFile(path, batch);
      expect({ name, ...fromCsv }).toEqual({ name, ...fromXlsx });
    }
  });

  it('full-width digits and a 学号 cell Excel stored as a number: the repairs and row problems of the .xlsx', async () => {
    const [first, second] = students as [RosterStudent, RosterStudent];
    const fullWidth = second.studentNo.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
    const rows = [rosterHeaders(batch), cellsOf(first), [fullWidth, ...cellsOf(second).slice(1)]];
    const csvPath = join(dir, 'changed.csv');
    writeFileSync(csvPath, encodeGbk(csvOf(rows)));
    const xlsxPath = join(dir, 'changed.xlsx');
    await writeXlsx(xlsxPath, rows);
    const fromCsv = await readRosterFile(csvPath, batch);
    expect(fromCsv).toEqual(await readRosterFile(xlsxPath, batch));
    expect(fromCsv.students.map((s) => s.studentNo)).toEqual([first.studentNo, second.studentNo]);
    // A CSV has no number cells: what Excel did to a 学号 before saving it cannot be seen, so it is taken as written.
    await writeXlsx(xlsxPath, [rows[0]!, [Number(first.studentNo), ...cellsOf(first).slice(1)]]);
    expect((await readRosterFile(xlsxPath, batch)).rowProblems.map((p) => p.row)).toEqual([2]);
  });

  it('names .xls and .ods files and says how to save them as .xlsx', async () => {
    const xls = join(dir, 'old.xls');
    writeFileSync(xls, Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]));
    await expect(readRosterFile(xls, batch)).rejects.toThrow('这是旧版 Excel 97-2003 (.xls) 文件');
    const ods = join(dir, 'libre.ods');
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(8, 26);
    writeFileSync(ods, Buffer.concat([header, Buffer.from('mimetypeapplication/vnd.oasis.opendocument.spreadsheet'), Buffer.alloc(64)]));
    await expect(readRosterFile(ods, batch)).rejects.toThrow('这是 OpenDocument (.ods) 表格');
  });
});
