import ExcelJS from 'exceljs';

/**
 * The tables people bring: .xlsx from Excel and WPS, and CSV from library and finance systems,
 * which Chinese Excel and WPS save in GBK. Both come back as an ExcelJS workbook, so the list
 * and roster readers check rows one way whatever the file was. .xls and .ods are recognised and
 * named, so the message can say how to save them as .xlsx.
 */

export type UnreadableKind = 'xls' | 'ods' | 'notSpreadsheet';

export class UnreadableSpreadsheet extends Error {
  constructor(readonly kind: UnreadableKind) {
    super(`unreadable spreadsheet (${kind})`);
    this.name = 'UnreadableSpreadsheet';
  }
}

export type SpreadsheetFormat = 'xlsx' | 'xls' | 'ods' | 'csv';

const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const ODS_MIMETYPE = 'mimetypeapplication/vnd.oasis.opendocument.spreadsheet';

const startsWith = (bytes: Uint8Array, prefix: number[], at = 0) => prefix.every((b, i) => bytes[at + i] === b);

/** By content, not by name: a renamed file is still what it is. */
export function sniffFormat(bytes: Uint8Array): SpreadsheetFormat | null {
  if (startsWith(bytes, OLE2)) return 'xls';
  if (startsWith(bytes, ZIP)) {
    // OpenDocument stores its mimetype first and uncompressed, right after the 30-byte local header.
    const head = new TextDecoder('latin1').decode(bytes.subarray(30, 30 + ODS_MIMETYPE.length));
    return head === ODS_MIMETYPE ? 'ods' : 'xlsx';
  }
  if (bytes.length === 0) return null;
  const sample = bytes.subarray(0, 4096);
  const utf16 = startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff]);
  return utf16 || !sample.includes(0) ? 'csv' : null;
}

/** UTF-8 (with or without BOM) when the bytes are valid UTF-8, UTF-16 by its BOM, else GB18030 (a superset of GBK). */
export function decodeText(bytes: Uint8Array): string {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (startsWith(bytes, [0xff, 0xfe])) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (startsWith(bytes, [0xfe, 0xff])) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

const DELIMITERS = [',', '\t', ';'] as const;

/** The delimiter the header line uses most, outside quotes (Excel writes ',' or, as 文本文件, tabs). */
function delimiterOf(text: string): string {
  const line = text.slice(0, text.search(/\r|\n|$/));
  const unquoted = line.replace(/"[^"]*"/g, '');
  let best: string = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const count = unquoted.split(d).length - 1;
    if (count > bestCount) [best, bestCount] = [d, count];
  }
  return best;
}

/** RFC 4180: quoted fields may hold delimiters, doubled quotes and line breaks; CRLF, LF or CR end a row. */
export function parseDelimited(text: string): string[][] {
  const delimiter = delimiterOf(text);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) endField();
    else if (c === '\r' || c === '\n') {
      endRow();
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else field += c;
    i++;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

function workbookOfRows(rows: string[][]): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('CSV');
  // Every cell as the text it is: a CSV has no cell types, so nothing here says Excel changed a value.
  for (const row of rows) sheet.addRow(row);
  return workbook;
}

export interface Spreadsheet {
  workbook: ExcelJS.Workbook;
  format: 'xlsx' | 'csv';
}

export async function loadSpreadsheet(bytes: Uint8Array): Promise<Spreadsheet> {
  const format = sniffFormat(bytes);
  if (format === 'xls' || format === 'ods') throw new UnreadableSpreadsheet(format);
  if (format === 'csv') return { workbook: workbookOfRows(parseDelimited(decodeText(bytes))), format };
  if (format === null) throw new UnreadableSpreadsheet('notSpreadsheet');
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ExcelJS.Buffer);
  } catch {
    throw new UnreadableSpreadsheet('notSpreadsheet');
  }
  return { workbook, format };
}
