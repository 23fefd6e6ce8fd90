import ExcelJS from 'exceljs';
import type { ChaseList, ChaseStep, DailyReport, ReportCounts, ReportHeader, XlsxFile } from '../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../src-shared/i18n/report.zh-CN';
import { styleHeader } from '../excel/list-files';
import { localDateTime, localTime } from './time';

/**
 * The daily report and the chase list as workbooks people work with: one table per sheet with
 * a frozen, shaded header row, and 学号 stored as text so Excel keeps the leading zeros.
 */

const TEXT = '@';
const PERCENT = '0.0%';

async function toFile(workbook: ExcelJS.Workbook, fileName: string): Promise<XlsxFile> {
  const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
  return { fileName, base64: bytes.toString('base64') };
}

function newWorkbook(header: ReportHeader): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = header.operator.name;
  workbook.created = new Date(header.generatedAt);
  return workbook;
}

function syncText(header: ReportHeader): string {
  const at = header.lastSyncAt ? localDateTime(new Date(header.lastSyncAt), header.timeZone) : null;
  if (header.unsyncedChanges > 0) return t.doc.unsynced(header.unsyncedChanges, at);
  return at ? t.doc.synced(at) : t.doc.neverSynced;
}

function collegesText(header: ReportHeader): string {
  return header.colleges === 'all' ? t.allColleges : header.colleges.join('、');
}

function addInfoSheet(workbook: ExcelJS.Workbook, header: ReportHeader, title: string): void {
  const sheet = workbook.addWorksheet(t.xlsx.infoSheet);
  sheet.addRow([t.col.item, t.col.value]);
  styleHeader(sheet, [14, 60]);
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
  for (const row of rows) sheet.addRow(row);
}

function countsRow(name: string, group: string, c: ReportCounts): (string | number | null)[] {
  return [name, group, c.total, c.passedToday, c.revokedToday, c.rejectedToday, c.passed, c.unfinished, c.rate];
}

function textColumns(sheet: ExcelJS.Worksheet, columns: number[]): void {
  for (const c of columns) sheet.getColumn(c).numFmt = TEXT;
}

export async function dailyReportXlsx(report: DailyReport): Promise<XlsxFile> {
  const { header } = report;
  const workbook = newWorkbook(header);
  addInfoSheet(workbook, header, t.doc.checkpoint);

  const steps = workbook.addWorksheet(t.xlsx.stepsSheet);
  steps.addRow([t.col.step, t.col.group, t.col.total, t.col.passedToday, t.col.revokedToday, t.col.rejectedToday, t.col.passed, t.col.unfinished, t.col.rate]);
  styleHeader(steps, [26, 8, 10, 10, 10, 12, 10, 10, 10]);
  steps.getColumn(9).numFmt = PERCENT;
  for (const line of report.steps) {
    steps.addRow(countsRow(line.name, t.group.current, line.current));
    steps.addRow(countsRow(line.name, t.group.previous, line.previous));
  }

  const classes = workbook.addWorksheet(t.xlsx.classesSheet);
  classes.addRow([t.col.college, t.col.className, t.col.total, t.col.unfinished, t.col.previousTotal, t.col.previousUnfinished]);
  styleHeader(classes, [22, 22, 10, 10, 10, 12]);
  for (const c of report.unfinishedByClass) classes.addRow([c.college, c.className, c.total, c.unfinished, c.previousTotal, c.previousUnfinished]);

  const actions = workbook.addWorksheet(t.xlsx.actionsSheet);
  actions.addRow([t.col.time, t.col.studentNo, t.col.name, t.col.college, t.col.className, t.col.previous, t.col.step, t.col.action, t.col.operator, t.col.note]);
  styleHeader(actions, [10, 14, 10, 20, 20, 6, 24, 10, 10, 40]);
  textColumns(actions, [1, 2]);
  for (const a of report.actions) {
    actions.addRow([
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
  return toFile(workbook, t.xlsx.dailyFile(header.checkpoint.name, header.date));
}

function stepsText(steps: ChaseStep[]): string {
  return steps.map((s) => t.chaseStep(s.checkpointName, s.stepName, s.status === 'rejected' ? s.note : null)).join(t.listSeparator);
}

/** One sheet per college when the list spans several, so each college office gets its own tab. */
export async function chaseListXlsx(list: ChaseList): Promise<XlsxFile> {
  const { header } = list;
  const workbook = newWorkbook(header);
  addInfoSheet(workbook, header, t.doc.checkpoint);
  const colleges = [...new Set(list.students.map((s) => s.college))];
  const perCollege = colleges.length > 1;
  const groups = perCollege ? colleges.map((c) => ({ title: c, rows: list.students.filter((s) => s.college === c) })) : [{ title: t.xlsx.chaseSheet, rows: list.students }];
  for (const group of groups) {
    const sheet = workbook.addWorksheet(t.xlsx.sheetName(group.title));
    textColumns(sheet, [3, 7]);
    sheet.getColumn(9).alignment = { wrapText: true, vertical: 'top' };
    sheet.getColumn(10).alignment = { wrapText: true, vertical: 'top' };
    sheet.addRow([t.col.college, t.col.className, t.col.studentNo, t.col.name, t.col.gender, t.col.dorm, t.col.idCard, t.col.previous, t.col.here, t.col.elsewhere]);
    styleHeader(sheet, [20, 20, 14, 10, 6, 16, 22, 6, 40, 60]);
    for (const s of group.rows) {
      sheet.addRow([s.college, s.className, s.studentNo, s.name, s.gender, s.dorm ?? '', s.idCardMasked, s.isPrevious ? t.yes : '', stepsText(s.here), stepsText(s.elsewhere)]);
    }
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: 10 } };
  }
  return toFile(workbook, t.xlsx.chaseFile(header.checkpoint.name, header.date));
}
