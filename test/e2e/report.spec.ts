import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { expect, test, type Page } from '@playwright/test';
import type { Input } from '../../src-shared/contract/counter-api';
import type { ChaseStudent, ChaseSummary, DailyReport, ReportHeader } from '../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../src-shared/i18n/report.zh-CN';
import { PDF_MARGINS_MM, pdfFooterTemplate } from '../../src-main/reports/pdf-footer';
import { applyMany } from '../../src-main/counter/mutate';
import { currentSession } from '../../src-main/counter/session';
import { openReplica } from '../../src-main/db';
import { expectAccessible } from './a11y';
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
  const before = (await host.call('reports.daily', { checkpointId: 'dorm', timeZone: TZ })).actions.length;
  // 5,000 real actions through the counter's own mutation path on the demo's replica, in one
  // transaction as a class batch would write them, every state ending as it began for the tests after this one.
  const replica = openReplica(join(host.dataDir, 'counter-1.db'));
  try {
    // Every student whose 宿舍清理 is open or done, toggled back to where it was: an open one passed
    // then revoked, a done one revoked then passed again.
    const rows = replica.sqlite
      .prepare("select student_no as studentNo, status from step_states where step_id = 'dorm-clearance' and status in ('pending', 'passed') order by student_no")
      .all() as { studentNo: string; status: 'pending' | 'passed' }[];
    expect(rows.length).toBeGreaterThan(50);
    const pass = (studentNo: string) => ({ kind: 'pass' as const, studentNo, stepId: 'dorm-clearance' });
    const revoke = (studentNo: string) => ({ kind: 'revoke' as const, studentNo, stepId: 'dorm-clearance', note: '复核' });
    const requests = Array.from({ length: 2500 }, (_, i) => rows[i % rows.length]!).flatMap(({ studentNo, status }) =>
      status === 'pending' ? [pass(studentNo), revoke(studentNo)] : [revoke(studentNo), pass(studentNo)],
    );
    expect(applyMany(replica, currentSession(replica), requests).refusals).toEqual([]);
  } finally {
    replica.close();
  }
  const real = await host.call('reports.daily', { checkpointId: 'dorm', timeZone: TZ });
  expect(real.actions).toHaveLength(before + 5000);
  const opened = Date.now();
  await page.goto(`${host.url}#/report?checkpointId=dorm`);
  await expect(page.getByTestId('report-actions').locator('tbody tr')).toHaveCount(real.actions.length, { timeout: 120_000 });
  const shown = Date.now() - opened;
  const printed = Date.now();
  const { text, pages } = await pdfOf(page, 'daily-5000');
  console.log(`[report e2e] ${real.actions.length} actions: on screen in ${shown} ms, PDF of ${pages} pages in ${Date.now() - printed} ms`);
  expect(pages).toBeGreaterThan(80);
  expect(squeeze(text)).toContain(squeeze(t.doc.pageNumber(String(pages), String(pages))));
  expect(squeeze(text)).toContain(squeeze(t.doc.signSupervisor));
  const line = real.steps.find((l) => l.id === 'dorm-clearance')!;
  expect(line.current.revokedToday + line.previous.revokedToday).toBeGreaterThanOrEqual(2500);
});

/** The whole 未完成名单 through the API as the page reads it: the summary, then its classes page by page. */
async function wholeChaseList(input: Input<'reports.chaseSummary'>): Promise<{ summary: ChaseSummary; students: ChaseStudent[] }> {
  const summary = await host.call('reports.chaseSummary', input);
  const students: ChaseStudent[] = [];
  for (let first = 0; first < summary.classes.length; first += 10) {
    const classes = summary.classes.slice(first, first + 10).map(({ college, className }) => ({ college, className }));
    students.push(...(await host.call('reports.chasePage', { ...input, classes })).students);
  }
  return { summary, students };
}

/** window.print opens a dialog nobody answers in a test: counted instead. */
async function countPrints(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { print: () => void; printed: number };
    w.printed = 0;
    w.print = () => {
      w.printed++;
    };
  });
}
const printed = (page: Page) => page.evaluate(() => (window as unknown as { printed: number }).printed);

test('the 未完成名单 view prints every unfinished student of the college checkpoint by class', async ({ page }) => {
  const { summary, students: list } = await wholeChaseList({ checkpointId: 'college', timeZone: TZ });
  const stats = await host.call('reports.daily', { checkpointId: 'college', timeZone: TZ });
  expect(list).toHaveLength(stats.checkpoint.unfinished + stats.checkpoint.previousUnfinished);
  expect(summary.total).toBe(list.length);
  await page.goto(`${host.url}#/report?checkpointId=college`);
  await expect(page.getByTestId('daily-report')).toBeVisible();
  await page.getByRole('button', { name: t.ui.viewChase, exact: true }).click();
  await expect(page.getByTestId('chase-list')).toBeVisible();
  await expect(page.getByLabel(t.ui.date)).toHaveCount(0);
  // Nothing of the printout exists until 打印 lays it out.
  await expect(page.getByTestId('chase-print').locator('tr')).toHaveCount(0);
  await countPrints(page);
  await page.getByRole('button', { name: t.ui.print, exact: true }).click();
  await expect.poll(() => printed(page)).toBe(1);
  await expect(page.getByTestId('print-progress')).toHaveCount(0);
  await expect(page.getByTestId('chase-print').locator('tbody tr')).toHaveCount(list.length);
  const { text } = await pdfOf(page, 'chase');
  const classes = new Set(list.map((x) => `${x.college}/${x.className}`));
  expect(squeeze(text)).toContain(squeeze(t.doc.chaseSummary(list.length, classes.size)));
  expect(squeeze(text)).toContain(squeeze(summary.header.checkpoint.name));
  for (const x of list) expect(text).toContain(x.studentNo);
  for (const key of classes) {
    const [college, className] = key.split('/') as [string, string];
    const n = list.filter((x) => x.college === college && x.className === className).length;
    expect(squeeze(text)).toContain(squeeze(t.doc.chaseClass(college, className, n)));
  }
  // The virtual list is screen only.
  expect(text).not.toContain(t.ui.rowLoading);
});

test('the 未完成名单 scrolls as a virtual list, filters on the back end, and passes the axe check', async ({ page }) => {
  // 学生工作处: earlier tests cleared the dorm for 200 students; most have this checkpoint open.
  const { summary, students: list } = await wholeChaseList({ checkpointId: 'student-affairs', timeZone: TZ });
  expect(list.length).toBeGreaterThan(150);
  await page.goto(`${host.url}#/report?checkpointId=student-affairs&view=chase`);
  const table = page.getByRole('table', { name: t.ui.chaseListLabel });
  await expect(table).toBeVisible();
  await expect(table).toHaveAttribute('aria-rowcount', String(1 + summary.classes.length + list.length));
  const rows = table.locator('.chase-student');
  await expect(rows.first()).toContainText(list[0]!.studentNo);
  // Only what is in view (and a little around it) is in the DOM.
  const shown = await rows.count();
  expect(shown).toBeGreaterThan(5);
  expect(shown).toBeLessThan(list.length);
  await expect(page.getByTestId('chase-summary')).toHaveText(t.doc.chaseSummary(list.length, summary.classes.length));
  await page.screenshot({ path: join(OUT, 'chase-screen.png') });
  await expectAccessible(page, '未完成名单');

  const viewport = page.locator('.chase-viewport');
  await viewport.evaluate((el) => (el.scrollTop = el.scrollHeight));
  const last = list.at(-1)!;
  await expect(table.getByRole('row').filter({ hasText: last.studentNo })).toBeVisible();
  await expect(table.getByRole('row').filter({ hasText: list[0]!.studentNo })).toHaveCount(0);
  // The screen shows what the back end holds for that student, in order among its neighbours.
  await expect(table.locator('.chase-pending')).toHaveCount(0);
  const lastRows = await rows.locator('.mono').allInnerTexts();
  expect(lastRows).toEqual(list.slice(-lastRows.length).map((x) => x.studentNo));

  // 学院 + 班级 + 宿舍 filters: the page asks the back end, and shows its answer.
  const pick = list.find((x) => x.dorm)!;
  const filter = { college: pick.college, className: pick.className.slice(2, 4), dorm: pick.dorm!.split('-').slice(0, 2).join('-') };
  const filtered = await wholeChaseList({ checkpointId: 'student-affairs', timeZone: TZ, filter });
  expect(filtered.students.map((x) => x.studentNo)).toContain(pick.studentNo);
  const form = page.getByRole('form', { name: t.ui.chaseFilters });
  await form.getByLabel(t.ui.filterCollege).selectOption(filter.college);
  await form.getByLabel(t.ui.filterClass).fill(filter.className);
  await form.getByLabel(t.ui.filterDorm).fill(filter.dorm);
  await form.getByRole('button', { name: t.ui.filterApply, exact: true }).click();
  await expect(page.getByTestId('chase-summary')).toHaveText(t.doc.chaseSummary(filtered.students.length, filtered.summary.classes.length));
  await expect(rows.locator('.mono')).toHaveText(filtered.students.map((x) => x.studentNo));
  expect(page.url()).toContain('chaseDorm=');
  await expect(page.getByTestId('chase-list')).toContainText(t.doc.chaseFilterText(filter));
  await expectAccessible(page, '未完成名单（筛选后）');
  await form.getByRole('button', { name: t.ui.filterClear }).click();
  await expect(page.getByTestId('chase-summary')).toHaveText(t.doc.chaseSummary(list.length, summary.classes.length));
});

test('printing the 未完成名单 shows its progress and can be cancelled, leaving nothing behind', async ({ page }) => {
  const summary = await host.call('reports.chaseSummary', { checkpointId: 'student-affairs', timeZone: TZ });
  await page.goto(`${host.url}#/report?checkpointId=student-affairs&view=chase`);
  await expect(page.locator('.chase-student').first()).toBeVisible();
  await countPrints(page);
  // The printout's pages wait for the test's word, so the progress can be seen and cancelled.
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/call/reports.chasePage', async (route) => {
    await held;
    await route.continue();
  });
  await page.getByRole('button', { name: t.ui.print, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: t.ui.printTitle });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('status')).toHaveText(t.ui.printProgress(0, summary.total));
  await expect(dialog.getByRole('button', { name: t.ui.printCancel })).toBeFocused();
  await expect(page.getByRole('button', { name: t.ui.print, exact: true })).toBeDisabled();
  await page.screenshot({ path: join(OUT, 'chase-print-progress.png') });
  await expectAccessible(page, '打印进度');
  await dialog.getByRole('button', { name: t.ui.printCancel }).click();
  // Cancelled at once, without waiting for the page under way.
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: t.ui.printCanceled })).toBeVisible();
  release();
  await expect(page.getByTestId('chase-print').locator('*')).toHaveCount(0);
  expect(await printed(page)).toBe(0);

  // Printing again goes through.
  await page.unroute('**/api/call/reports.chasePage');
  await page.getByRole('button', { name: t.ui.print, exact: true }).click();
  await expect.poll(() => printed(page)).toBe(1);
  await expect(page.getByTestId('chase-print').locator('tbody tr')).toHaveCount(summary.total);
  // The browser's afterprint drops the printout again.
  await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
  await expect(page.getByTestId('chase-print').locator('*')).toHaveCount(0);
});

/** The cells of every body row of a table on the screen, as text. */
function screenRows(page: Page, testId: string): Promise<string[][]> {
  return page
    .getByTestId(testId)
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => (c as HTMLElement).innerText.trim())));
}

/** Every row of a worksheet after its header, as text, the way the screen would print each value. */
function sheetRows(sheet: ExcelJS.Worksheet): string[][] {
  const rows: string[][] = [];
  sheet.eachRow((row, n) => {
    if (n > 1) rows.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v))));
  });
  return rows;
}

async function downloaded(page: Page, button: string): Promise<{ name: string; workbook: ExcelJS.Workbook }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  const path = join(OUT, download.suggestedFilename());
  await download.saveAs(path);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(new Uint8Array(readFileSync(path)).buffer);
  return { name: download.suggestedFilename(), workbook };
}

test('Excel exports download and read back with the numbers on screen', async ({ page }) => {
  const api = await host.call('reports.daily', { checkpointId: 'dorm', timeZone: TZ });
  await page.goto(`${host.url}#/report?checkpointId=dorm`);
  await expect(page.getByTestId('report-steps')).toBeVisible();
  await expect(page.getByTestId('report-actions').locator('tbody tr')).toHaveCount(api.actions.length);
  const daily = await downloaded(page, t.ui.exportDaily);
  expect(daily.name).toBe(t.xlsx.dailyFile('宿管中心离校点', api.header.date));

  // 各环节: every row, its counts as the screen shows them (the step's name spans its two rows there).
  const steps = sheetRows(daily.workbook.getWorksheet(t.xlsx.stepsSheet)!);
  const screenSteps = await screenRows(page, 'report-steps');
  expect(screenSteps).toHaveLength(api.steps.length * 2);
  expect(steps).toHaveLength(screenSteps.length);
  steps.forEach((row, i) => {
    const cells = screenSteps[i]!;
    const counts = i % 2 === 0 ? cells.slice(1) : cells;
    if (i % 2 === 0) expect(cells[0]!.startsWith(row[0]!)).toBe(true);
    expect(counts.slice(0, 7)).toEqual(row.slice(1, 8));
  });

  // 办理明细: the same actions in the same order, cell by cell where both show one.
  const actions = sheetRows(daily.workbook.getWorksheet(t.xlsx.actionsSheet)!);
  const screenActions = await screenRows(page, 'report-actions');
  expect(actions).toHaveLength(screenActions.length);
  const pick = (r: string[]) => ({ studentNo: r[1], name: r[2], className: r[4], step: r[6], action: r[7], operator: r[8], note: r[9] ?? '' });
  const shown = (r: string[]) => ({ studentNo: r[2], name: r[3], className: r[4], step: r[5], action: r[6], operator: r[7], note: r[8] ?? '' });
  expect(actions.map(pick)).toEqual(screenActions.map(shown));

  // 未完成名单: every unfinished student of the checkpoint, as the back end lists them.
  const { students } = await wholeChaseList({ checkpointId: 'dorm', timeZone: TZ });
  const chase = await downloaded(page, t.ui.exportChase);
  expect(chase.name).toBe(t.xlsx.chaseFile('宿管中心离校点', api.header.date));
  await expect(page.getByRole('status').filter({ hasText: chase.name })).toBeVisible();
  const listed = chase.workbook.worksheets.filter((w) => w.name !== t.xlsx.infoSheet).flatMap(sheetRows);
  expect(listed.map((r) => [r[0], r[1], r[2], r[3], r[6]])).toEqual(students.map((x) => [x.college, x.className, x.studentNo, x.name, x.idCardMasked]));
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
