import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ChaseStep, ChaseStudent, ChaseSummary, DailyReport, ReportCounts, ReportHeader, XlsxFile } from '../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../src-shared/i18n/report.zh-CN';
import { guardFormulaRow } from '../../src-shared/tables/formula-text';
import { FROZEN_HEADER, styleHeaderRow } from '../excel/list-files';
import { localDateTime, localTime } from './time';

/**
 * The daily report and the chase list as workbooks people work with: one table per sheet with
 * a frozen, shaded header row, and 学号 stored as text so Excel keeps the leading zeros.
 *
 * Written with exceljs's streaming writer: each row goes to the zip as it is added, so a
 * 30,000-row list never stands as a workbook of cell objects; only the compressed file, which
 * crosses the API, is held.
 */

const TEXT = '@';
const PERCENT = '0.0%';

interface Streamed {
  workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  bytes: Promise<Buffer>;
}

function newWorkbook(header: ReportHeader): Streamed {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const bytes = new Promise<Buffer>((resolve, reject) => {
    out.on('end', () => resolve(Buffer.concat(chunks)));
    out.on('error', reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = header.operator.name;
  workbook.created = new Date(header.generatedAt);
  return { workbook, bytes };
}

async function toFile({ workbook, bytes }: Streamed, fileName: string): Promise<XlsxFile> {
  await workbook.commit();
  return { fileName, base64: (await bytes).toString('base64') };
}

interface TableSheet {
  title: string;
  columns: string[];
  widths: number[];
  /** 1-based columns stored as text. */
  text?: number[];
  percent?: number[];
  wrap?: number[];
}

/** A sheet whose header row is written and committed; its rows follow with `addRow(…).commit()`. */
function addTableSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, spec: TableSheet): ExcelJS.Worksheet {
  const sheet = workbook.addWorksheet(spec.title, { views: FROZEN_HEADER });
  spec.widths.forEach((w, i) => (sheet.getColumn(i + 1).width = w));
  for (const c of spec.text ?? []) sheet.getColumn(c).numFmt = TEXT;
  for (const c of spec.percent ?? []) sheet.getColumn(c).numFmt = PERCENT;
  for (const c of spec.wrap ?? []) sheet.getColumn(c).alignment = { wrapText: true, vertical: 'top' };
  const header = sheet.addRow(spec.columns);
  styleHeaderRow(header);
  header.commit();
  return sheet;
}

/**
 * Writes one row and sends it on; an empty text becomes an empty cell, as Excel shows it anyway.
 * Names, notes and every other text may come from users, so each is guarded against formulas.
 */
function addRow(sheet: ExcelJS.Worksheet, values: (string | number | null)[]): void {
  sheet.addRow(guardFormulaRow(values.map((v) => (v === '' ? null : v)))).commit();
}

function syncText(header: ReportHeader): string {
  const at = header.lastSyncAt ? localDateTime(new Date(header.lastSyncAt), header.timeZone) : null;
  if (header.unsyncedChanges > 0) return t.doc.unsynced(header.unsyncedChanges, at);
  return at ? t.doc.synced(at) : t.doc.neverSynced;
}

function collegesText(header: ReportHeader): string {
  return header.colleges === 'all' ? t.allColleges : header.colleges.join('、');
}

function addInfoSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, header: ReportHeader, title: string): void {
  const sheet = addTableSheet(workbook, { title: t.xlsx.infoSheet, columns: [t.col.item, t.col.value], widths: [14, 60] });
  const rows: [string, string][] = [
    [t.doc.university, header.university],
    [t.doc.batch, header.batch.name],
    [title, header.checkpoint.name],
    [t.doc.colleges, collegesText(header)],
    [t.doc.date, header.date],
    [t.doc.generatedAt, localDateTime(new Date(header.generatedAt), header.timeZone)],
    [t.doc.operator, header.operator.name],
    [t.doc.device, header.deviceId],
    [t.doc.sync, syncText(header)],
  ];
  for (const row of rows) addRow(sheet, row);
  sheet.commit();
}

function countsRow(name: string, group: string, c: ReportCounts): (string | number | null)[] {
  return [name, group, c.total, c.passedToday, c.revokedToday, c.rejectedToday, c.passed, c.unfinished, c.rate];
}

export async function dailyReportXlsx(report: DailyReport): Promise<XlsxFile> {
  const { header } = report;
  const file = newWorkbook(header);
  const { workbook } = file;
  addInfoSheet(workbook, header, t.doc.checkpoint);

  const steps = addTableSheet(workbook, {
    title: t.xlsx.stepsSheet,
    columns: [t.col.step, t.col.group, t.col.total, t.col.passedToday, t.col.revokedToday, t.col.rejectedToday, t.col.passed, t.col.unfinished, t.col.rate],
    widths: [26, 8, 10, 10, 10, 12, 10, 10, 10],
    percent: [9],
  });
  for (const line of report.steps) {
    addRow(steps, countsRow(line.name, t.group.current, line.current));
    addRow(steps, countsRow(line.name, t.group.previous, line.previous));
  }
  steps.commit();

  const classes = addTableSheet(workbook, {
    title: t.xlsx.classesSheet,
    columns: [t.col.college, t.col.className, t.col.total, t.col.unfinished, t.col.previousTotal, t.col.previousUnfinished],
    widths: [22, 22, 10, 10, 10, 12],
  });
  for (const c of report.unfinishedByClass) addRow(classes, [c.college, c.className, c.total, c.unfinished, c.previousTotal, c.previousUnfinished]);
  classes.commit();

  const actions = addTableSheet(workbook, {
    title: t.xlsx.actionsSheet,
    columns: [t.col.time, t.col.studentNo, t.col.name, t.col.college, t.col.className, t.col.previous, t.col.step, t.col.action, t.col.operator, t.col.note],
    widths: [10, 14, 10, 20, 20, 6, 24, 10, 10, 40],
    text: [1, 2],
  });
  for (const a of report.actions) {
    addRow(actions, [
        localTime(new Date(a.at), header.timeZone),
        a.studentNo,
        a.name,
        a.college,
        a.className,
        a.isPrevious ? t.yes : '',
        a.stepName,
        t.action[a.kind],
        a.operatorName,
      a.note,
    ]);
  }
  actions.commit();
  return toFile(file, t.xlsx.dailyFile(header.checkpoint.name, header.date));
}

function stepsText(steps: ChaseStep[]): string {
  return steps.map((s) => t.chaseStep(s.checkpointName, s.stepName, s.status === 'rejected' ? s.note : null)).join(t.listSeparator);
}

const CHASE_COLUMNS: Omit<TableSheet, 'title'> = {
  columns: [t.col.college, t.col.className, t.col.studentNo, t.col.name, t.col.gender, t.col.dorm, t.col.idCard, t.col.previous, t.col.here, t.col.elsewhere],
  widths: [20, 20, 14, 10, 6, 16, 22, 6, 40, 60],
  text: [3, 7],
  wrap: [9, 10],
};

/** Lets the zip writer compress what the rows so far produced before more are read. */
const drain = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One sheet per college when the list spans several, so each college office gets its own tab.
 * The rows come by college, so each college's sheet is finished before the next one starts.
 */
export async function chaseListXlsx(summary: ChaseSummary, pages: Iterable<ChaseStudent[]>): Promise<XlsxFile> {
  const { header } = summary;
  const file = newWorkbook(header);
  const { workbook } = file;
  addInfoSheet(workbook, header, t.doc.checkpoint);
  const perCollege = new Set(summary.classes.map((c) => c.college)).size > 1;
  let sheet: ExcelJS.Worksheet | null = null;
  let sheetCollege: string | null = null;
  const finish = (done: ExcelJS.Worksheet) => {
    done.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: 10 } };
    done.commit();
  };
  const open = (title: string) => addTableSheet(workbook, { title: t.xlsx.sheetName(title), ...CHASE_COLUMNS });
  if (!perCollege) sheet = open(t.xlsx.chaseSheet);
  for (const page of pages) {
    for (const s of page) {
      if (perCollege && s.college !== sheetCollege) {
        if (sheet) finish(sheet);
        sheet = open(s.college);
        sheetCollege = s.college;
      }
      addRow(sheet!, [s.college, s.className, s.studentNo, s.name, s.gender, s.dorm ?? '', s.idCardMasked, s.isPrevious ? t.yes : '', stepsText(s.here), stepsText(s.elsewhere)]);
    }
    await drain();
  }
  if (sheet) finish(sheet);
  return toFile(file, t.xlsx.chaseFile(header.checkpoint.name, header.date));
}
