import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { expect, test, type Page } from '@playwright/test';
import type { DailyReport, ReportHeader } from '../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../src-shared/i18n/report.zh-CN';
import { PDF_MARGINS_MM, pdfFooterTemplate } from '../../src-main/reports/pdf-footer';
import { startDemoHost, type DemoHost } from './demo-host';

const TZ = 'Asia/Shanghai';
const OUT = 'test-results/report';
let host: DemoHost;

async function pdfOf(page: Page, name: string): Promise<{ path: string; text: string; pages: number }> {
  const path = join(OUT, `${name}.pdf`);
  await page.emulateMedia({ media: 'print' });
  writeFileSync(
    path,
    await page.pdf({
      format: 'A4',
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: pdfFooterTemplate(),
      margin: { top: `${PDF_MARGINS_MM.top}mm`, bottom: `${PDF_MARGINS_MM.bottom}mm`, left: `${PDF_MARGINS_MM.left}mm`, right: `${PDF_MARGINS_MM.right}mm` },
    }),
  );
  await page.emulateMedia({ media: 'screen' });
  const text = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
  const info = execFileSync('pdfinfo', [path], { encoding: 'utf8' });
  const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', path, join(OUT, `${name}-page`)]);
  return { path, text, pages };
}

/** pdftotext -layout keeps a table row on one line: the numbers after the first line matching. */
function numbersOnLine(text: string, line: RegExp): number[] {
  const found = text.split('\n').find((l) => line.test(l));
  if (!found) throw new Error(`no line matching ${line} in the PDF`);
  return [...found.replace(line, '').matchAll(/(\d+(?:\.\d+)?)%?/g)].map((m) => Number(m[1]));
}

/** The footer's words come out of pdftotext without their spaces. */
function squeeze(text: string): string {
  return text.replace(/\s+/g, '');
}

const stamp = new Intl.DateTimeFormat('sv-SE', { timeZone: TZ, dateStyle: 'short', timeStyle: 'medium' });

/** What the page says of sync, as the renderer words it on a desk in TZ. */
function syncLine(header: ReportHeader): string {
  const at = header.lastSyncAt ? stamp.format(new Date(header.lastSyncAt)) : null;
  if (header.unsyncedChanges > 0) return t.doc.unsynced(header.unsyncedChanges, at);
  return at ? t.doc.synced(at) : t.doc.neverSynced;
}

test.beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  host = await startDemoHost(300);
  await host.call('session.setCheckpoint', { checkpointId: 'dorm' });
  const { rows } = await host.call('students.search', { current: 'notDone', limit: 12 });
  const nos = rows.map((r) => r.studentNo);
  for (const studentNo of nos.slice(0, 8)) await host.call('steps.apply', { studentNo, stepId: 'dorm-clearance', action: 'pass' });
  for (const studentNo of nos.slice(8, 10)) await host.call('steps.apply', { studentNo, stepId: 'dorm-clearance', action: 'reject', note: '床位未清空' });
  await host.call('steps.apply', { studentNo: nos[0]!, stepId: 'dorm-clearance', action: 'revoke', note: '误点' });
});

test.afterAll(async () => {
  await host?.stop();
});

test('the 日报 button opens the daily report of the current checkpoint', async ({ page }) => {
  await page.goto(host.url);
  await page.getByRole('button', { name: t.ui.entry }).click();
  await expect(page.getByTestId('daily-report')).toBeVisible();
  await expect(page.getByTestId('daily-report')).toContainText('宿管中心离校点');
  await page.getByRole('button', { name: t.ui.back }).click();
  await expect(page.getByTestId('daily-report')).toHaveCount(0);
  await expect(page.getByRole('button', { name: t.ui.entry })).toBeVisible();
});

test('the printed daily report carries the database numbers, page numbers and signature lines', async ({ page }) => {
  const api: DailyReport = await host.call('reports.daily', { checkpointId: 'dorm', timeZone: TZ });
  await page.goto(`${host.url}#/report?checkpointId=dorm`);
  await expect(page.getByTestId('report-steps')).toBeVisible();
  await page.screenshot({ path: join(OUT, 'daily-screen.png'), fullPage: false });
  const { text, pages } = await pdfOf(page, 'daily');

  expect(text).toContain(api.header.university);
  expect(squeeze(text)).toContain(t.doc.dailyTitle);
  expect(text).toContain(api.header.batch.name);
  expect(text).toContain(api.header.date);
  expect(squeeze(text)).toContain(api.header.deviceId);
  // The demo counter syncs in the background, so the sync line may move between two reads.
  const after = await host.call('reports.daily', { checkpointId: 'dorm', timeZone: TZ });
  const printedSync = squeeze(await page.getByTestId('report-sync').innerText());
  expect(squeeze(text)).toContain(printedSync);
  expect([syncLine(api.header), syncLine(after.header)].map(squeeze)).toContain(printedSync);
  const cp = api.checkpoint;
  const rate = ((cp.total - cp.unfinished) / cp.total) * 100;
  expect(squeeze(text)).toContain(
    squeeze(t.doc.summary(cp.total, cp.unfinished, `${Number.isInteger(rate) ? rate : rate.toFixed(1)}%`, cp.previousTotal, cp.previousUnfinished)),
  );
  expect(squeeze(text)).toContain(squeeze(t.doc.todaySummary(11, 8, 2, 1)));

  const line = api.steps[0]!;
  const c = line.current;
  expect(numbersOnLine(text, new RegExp(`^\\s*${line.name}\\s+${t.group.current}`)).slice(0, 6)).toEqual([c.total, c.passedToday, c.revokedToday, c.rejectedToday, c.passed, c.unfinished]);
  const p = line.previous;
  expect(numbersOnLine(text, new RegExp(`^\\s*${t.group.previous}\\s`)).slice(0, 6)).toEqual([p.total, p.passedToday, p.revokedToday, p.rejectedToday, p.passed, p.unfinished]);
  expect(c.passedToday + p.passedToday).toBe(8);
  expect(c.rejectedToday + p.rejectedToday).toBe(2);

  const sum = api.unfinishedByClass.reduce((n, k) => n + k.unfinished, 0);
  expect(sum).toBe(cp.unfinished);
  expect(numbersOnLine(text, new RegExp(`^\\s*${t.doc.totalRow}\\s`))[1]).toBe(sum);
  for (const k of api.unfinishedByClass) expect(text).toContain(k.className);

  expect(api.actions).toHaveLength(11);
  for (const a of api.actions) expect(text).toContain(a.studentNo);
  expect(text).toContain('床位未清空');
  for (const label of [t.doc.signOperator, t.doc.signSupervisor]) expect(squeeze(text)).toContain(label);
  for (let n = 1; n <= pages; n++) expect(squeeze(text)).toContain(squeeze(t.doc.pageNumber(String(n), String(pages))));
});

test('a day of several hundred actions paginates with the header row on every page', async ({ page }) => {
  const { rows } = await host.call('students.search', { current: 'notDone', limit: 300 });
  for (const r of rows.slice(12, 212)) {
    await host.call('steps.apply', { studentNo: r.studentNo, stepId: 'dorm-clearance', action: 'pass', note: '' });
  }
  const api = await host.call('reports.daily', { checkpointId: 'dorm', timeZone: TZ });
  await page.goto(`${host.url}#/report?checkpointId=dorm`);
  await expect(page.getByTestId('report-actions')).toBeVisible();
  const started = Date.now();
  const { text, pages } = await pdfOf(page, 'daily-busy');
  console.log(`[report e2e] ${api.actions.length} actions -> ${pages} A4 pages in ${Date.now() - started} ms`);
  expect(pages).toBeGreaterThan(3);
  const headerLines = text.split('\n').filter((l) => l.includes(t.col.seq) && l.includes(t.col.studentNo) && l.includes(t.col.operator));
  expect(headerLines.length).toBeGreaterThanOrEqual(pages - 1);
  expect(squeeze(text)).toContain(squeeze(t.doc.pageNumber(String(pages), String(pages))));
  for (const a of api.actions) expect(text).toContain(a.studentNo);
});

test('a 5,000-action day renders and prints, timed', async ({ page }) => {
  test.setTimeout(300_000);
  // The real report, its action list stretched to 5,000 rows: this measures the page and the PDF.
  const real = await host.call('reports.daily', { checkpointId: 'dorm', timeZone: TZ });
  const actions = Array.from({ length: 5000 }, (_, i) => ({ ...real.actions[i % real.actions.length]!, at: new Date(Date.parse(real.header.date) + i * 1000).toISOString() }));
  await page.route('**/api/call/reports.daily', (route) => route.fulfill({ json: { ok: true, value: { ...real, actions } } }));
  const opened = Date.now();
  await page.goto(`${host.url}#/report?checkpointId=dorm`);
  await expect(page.getByTestId('report-actions').locator('tbody tr')).toHaveCount(5000, { timeout: 120_000 });
  const shown = Date.now() - opened;
  const printed = Date.now();
  const { text, pages } = await pdfOf(page, 'daily-5000');
  console.log(`[report e2e] 5,000 actions: on screen in ${shown} ms, PDF of ${pages} pages in ${Date.now() - printed} ms`);
  expect(pages).toBeGreaterThan(80);
  expect(squeeze(text)).toContain(squeeze(t.doc.pageNumber(String(pages), String(pages))));
  expect(squeeze(text)).toContain(squeeze(t.doc.signSupervisor));
});

test('the 未完成名单 view prints every unfinished student of the college checkpoint by class', async ({ page }) => {
  const list = await host.call('reports.chaseList', { checkpointId: 'college', timeZone: TZ });
  const stats = await host.call('reports.daily', { checkpointId: 'college', timeZone: TZ });
  expect(list.students).toHaveLength(stats.checkpoint.unfinished + stats.checkpoint.previousUnfinished);
  await page.goto(`${host.url}#/report?checkpointId=college`);
  await expect(page.getByTestId('daily-report')).toBeVisible();
  await page.getByRole('button', { name: t.ui.viewChase, exact: true }).click();
  await expect(page.getByTestId('chase-list')).toBeVisible();
  await expect(page.getByLabel(t.ui.date)).toHaveCount(0);
  const { text } = await pdfOf(page, 'chase');
  const classes = new Set(list.students.map((x) => `${x.college}/${x.className}`));
  expect(squeeze(text)).toContain(squeeze(t.doc.chaseSummary(list.students.length, classes.size)));
  expect(squeeze(text)).toContain(squeeze(list.header.checkpoint.name));
  for (const x of list.students) expect(text).toContain(x.studentNo);
  for (const key of classes) {
    const [college, className] = key.split('/') as [string, string];
    const n = list.students.filter((x) => x.college === college && x.className === className).length;
    expect(squeeze(text)).toContain(squeeze(t.doc.chaseClass(college, className, n)));
  }
});

test('Excel exports download and read back with the numbers on screen', async ({ page }) => {
  const api = await host.call('reports.daily', { checkpointId: 'dorm', timeZone: TZ });
  await page.goto(`${host.url}#/report?checkpointId=dorm`);
  await expect(page.getByTestId('report-steps')).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: t.ui.exportDaily }).click()]);
  expect(download.suggestedFilename()).toBe(t.xlsx.dailyFile('宿管中心离校点', api.header.date));
  const path = join(OUT, download.suggestedFilename());
  await download.saveAs(path);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(new Uint8Array(readFileSync(path)).buffer);
  const steps = wb.getWorksheet(t.xlsx.stepsSheet)!;
  const c = api.steps[0]!.current;
  expect((steps.getRow(2).values as unknown[]).slice(1, 8)).toEqual([api.steps[0]!.name, t.group.current, c.total, c.passedToday, c.revokedToday, c.rejectedToday, c.passed]);
  expect(wb.getWorksheet(t.xlsx.actionsSheet)!.rowCount).toBe(1 + api.actions.length);

  const [chase] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: t.ui.exportChase }).click()]);
  expect(chase.suggestedFilename()).toBe(t.xlsx.chaseFile('宿管中心离校点', api.header.date));
  await expect(page.getByRole('status').filter({ hasText: chase.suggestedFilename() })).toBeVisible();
});

test('a 离校单 fits one A4 page, and its QR payload verifies at the desk', async ({ page }) => {
  const { rows } = await host.call('students.search', { limit: 1 });
  const studentNo = rows[0]!.studentNo;
  const slip = await host.call('reports.slip', { studentNo });
  await page.goto(`${host.url}#/slip/${studentNo}`);
  await expect(page.getByTestId('slip')).toBeVisible();
  await expect(page.locator('.slip-qr img')).toHaveAttribute('src', /^data:image\/png;base64,/);
  await expect(page.getByTestId('slip-code')).toHaveText(t.doc.slipCode(slip.verificationCode));
  const { text, pages } = await pdfOf(page, 'slip');
  expect(pages).toBe(1);
  expect(text).toContain(slip.student.name);
  expect(text).toContain(studentNo);
  expect(text).toContain(slip.student.idCardMasked);
  expect(text).toContain(slip.verificationCode);
  for (const cp of slip.checkpoints) expect(squeeze(text)).toContain(cp.name);

  await page.goto(`${host.url}#/report`);
  await page.getByLabel(t.ui.verifyLabel).fill(slip.qrPayload);
  await page.getByRole('button', { name: t.ui.verify, exact: true }).click();
  await expect(page.getByTestId('slip-verdict')).toHaveText(t.ui.verdict.valid(slip.student.name, slip.student.className, slip.complete));
  const forged = JSON.stringify({ ...JSON.parse(slip.qrPayload), v: 'AAAAAAAA' });
  await page.getByLabel(t.ui.verifyLabel).fill(forged);
  await page.getByRole('button', { name: t.ui.verify, exact: true }).click();
  await expect(page.getByTestId('slip-verdict')).toHaveText(t.ui.verdict.mismatch);
});
