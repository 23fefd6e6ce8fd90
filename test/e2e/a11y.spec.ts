import { mkdirSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, expectFocusRings } from './a11y';
import { setScannerTiming, shot, useDemoHost, WIDE_SCANNER_SETTINGS } from './demo-host';

/**
 * Every screen of the counter through axe-core (WCAG 2.1 A/AA), opened the way an operator
 * opens it. The first-run setup screen is checked in sync-setup.spec.ts and the camera dock in
 * camera.spec.ts, which already start the demo those need.
 */

const host = useDemoHost(300);

// Each axe run takes seconds on a loaded 2-core machine and a test checks up to eight screens:
// the longest took 96 s there, too near the suite's 120 s.
test.describe.configure({ timeout: 240_000 });


async function openCounter(page: Page): Promise<void> {
  await setScannerTiming(host, WIDE_SCANNER_SETTINGS);
  await page.goto(host.url);
  await expect(page.locator('.operator-name')).not.toBeEmpty();
  await expect(page.locator('.stats-card tr[data-step]').first()).toBeVisible();
}

async function switchCheckpoint(page: Page, checkpointId: string): Promise<void> {
  await page.getByLabel('当前离校点').selectOption(checkpointId);
  await expect.poll(async () => (await host.call('session.get', {})).checkpointId).toBe(checkpointId);
}

async function openStudent(page: Page, studentNo: string): Promise<void> {
  await page.getByLabel('学生学号').fill(studentNo);
  await page.keyboard.press('Enter');
  await expect(page.locator('.info-no')).toHaveText(studentNo);
}

test('home, work queue, a student card, an inline reason prompt and the class grid', async ({ page }) => {
  await openCounter(page);
  await shot(page, 'a11y-home-1366');
  await expectAccessible(page, 'home');
  await expectFocusRings(page, 'home', 30);

  await page.getByRole('button', { name: /待办队列/ }).click();
  const results = page.getByRole('listbox', { name: '查询结果' });
  await expect(results.getByRole('option').first()).toBeVisible();
  await expectAccessible(page, 'work queue');

  await results.getByRole('option').first().click();
  await expect(page.getByTestId('student-name')).not.toBeEmpty();
  await shot(page, 'a11y-student-1366');
  await expectAccessible(page, 'student card');
  await expectFocusRings(page, 'student card', 30);

  const ops = page.locator('.ops-card li[data-step]');
  await ops.first().getByRole('button', { name: '未通过', exact: true }).click();
  await ops.first().getByLabel('未通过原因').press('Enter');
  await expect(ops.first().locator('.reason-prompt')).toContainText('请填写原因');
  await expectAccessible(page, 'student card, reason prompt with its error');
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: '按班级批量操作' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.locator('.batch-row').first()).toBeVisible();
  await expectAccessible(page, 'class grid');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // Several students for one scan (a shared name, the last 6 of an ID): the lookup answers with three.
  const { rows } = await host.call('students.search', { limit: 3 });
  const first = await host.call('students.lookup', { text: rows[0]!.studentNo });
  await page.route('**/api/call/students.lookup', (route) => route.fulfill({ json: { ok: true, value: { ...first, students: rows } } }));
  await page.keyboard.type(rows[0]!.studentNo, { delay: 5 });
  await page.keyboard.press('Enter');
  await expect(page.getByRole('listbox', { name: /名学生/ }).getByRole('option')).toHaveCount(3);
  await expectAccessible(page, 'candidates');
});

test('the load failure screen', async ({ page }) => {
  await page.route('**/api/call/session.get', (route) => route.fulfill({ json: { ok: false, error: { code: 'internal', message: '数据库文件无法打开' } } }));
  await page.goto(host.url);
  await expect(page.getByRole('alert')).toContainText('数据库文件无法打开');
  await expectAccessible(page, 'load failure');
});

test('a blocked student at the certificate desk, the waiver desk and quick mode', async ({ page }) => {
  await openCounter(page);
  await switchCheckpoint(page, 'certificates');
  const { rows } = await host.call('students.search', { prereq: 'notDone', limit: 20 });
  const blocked = rows.find((r) => !r.isPrevious);
  if (!blocked) throw new Error('the demo roster has no blocked student');
  await openStudent(page, blocked.studentNo);
  await expect(page.getByTestId('blocked-notice')).toBeVisible();
  await expectAccessible(page, 'student card, blocked');

  await page.getByRole('button', { name: '调整离校点限制' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('学号')).toHaveValue(blocked.studentNo);
  await expect(dialog.locator('tr[data-step]').first()).toBeVisible();
  await expectAccessible(page, 'waiver desk');
  await dialog.getByRole('tab', { name: /已解除限制的学生/ }).click();
  await expectAccessible(page, 'waiver desk, lifted list');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  await page.keyboard.press('F3');
  const picker = page.getByRole('dialog', { name: '扫码即办：选择要办理的步骤' });
  await expect(picker.getByRole('option').first()).toBeVisible();
  await expectAccessible(page, 'quick mode, step picker');
  await page.keyboard.press('1');
  await expect(page.getByTestId('quick-result')).toHaveAttribute('data-kind', 'idle');
  await expectAccessible(page, 'quick mode, idle');
  await page.keyboard.type(blocked.studentNo, { delay: 5 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('quick-result')).toHaveAttribute('data-kind', 'blocked');
  await expectAccessible(page, 'quick mode, a blocked scan');
});

test('list import preview', async ({ page }) => {
  await openCounter(page);
  await switchCheckpoint(page, 'dorm');
  const { rows } = await host.call('students.search', { current: 'notDone', limit: 3 });
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('宿舍清理');
  sheet.addRow(['学号', '姓名', '状态', '备注']);
  for (const r of rows) sheet.addRow([r.studentNo, r.name, '通过', '']);
  sheet.addRow(['0399999999', '', '', '']);
  mkdirSync('test-results', { recursive: true });
  const path = 'test-results/a11y-import.xlsx';
  await wb.xlsx.writeFile(path);

  await page.getByRole('button', { name: '导入名单' }).click();
  const dialog = page.getByRole('dialog');
  await expectAccessible(page, 'list import, empty');
  await dialog.locator('#import-file-input').setInputFiles(path);
  await expect(dialog.locator('.import-summary')).toContainText(`共 ${rows.length + 1} 行`);
  await expectAccessible(page, 'list import preview');
});

test('daily report, chase list and 离校单', async ({ page }) => {
  await openCounter(page);
  await page.getByRole('button', { name: '日报' }).click();
  await expect(page.getByTestId('report-steps')).toBeVisible();
  await expectAccessible(page, 'daily report');
  await page.getByRole('button', { name: '未完成名单', exact: true }).click();
  await expect(page.getByTestId('chase-list')).toBeVisible();
  await expectAccessible(page, 'chase list');

  const { rows } = await host.call('students.search', { limit: 1 });
  await page.goto(`${host.url}#/slip/${rows[0]!.studentNo}`);
  await expect(page.locator('.slip-qr img')).toBeVisible();
  await expectAccessible(page, '离校单');
});

test('sync panel and the 换人 sign-in dialog', async ({ page }) => {
  await openCounter(page);
  await expect(page.getByTestId('sync-indicator')).toContainText('在线');
  await page.getByRole('button', { name: '冲突与被拒' }).click();
  const panel = page.getByRole('dialog', { name: '冲突与被拒操作' });
  await expect(panel).toContainText('没有冲突，也没有被拒的操作');
  await expectAccessible(page, 'sync panel');
  // The demo counter has sent everything: writing a rescue file says so instead.
  await expect.poll(async () => (await host.call('sync.status', {})).unsent).toBe(0);
  await panel.getByRole('button', { name: '写出救援文件' }).click();
  await expect(panel.getByTestId('rescue-section').getByRole('alert')).toHaveText('本柜台没有未上传的操作，办理记录都已在服务器上，无需救援文件。');
  await shot(page, 'a11y-sync-panel-rescue-1366');
  await expectAccessible(page, 'sync panel, rescue section');
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();

  await page.getByRole('button', { name: '换人' }).click();
  const dialog = page.getByRole('dialog', { name: '换人登录（交接班）' });
  await expect(dialog.locator('input[name="operatorNo"]')).toBeFocused();
  await expectAccessible(page, 'sign-in dialog');
  await page.keyboard.type('S0004');
  await page.keyboard.press('Tab');
  await page.keyboard.type('not-the-password');
  await page.keyboard.press('Enter');
  await expect(dialog.getByRole('alert')).toHaveText('工号或密码错误');
  await expectAccessible(page, 'sign-in dialog, wrong password');
});

test('柜台设置 and the lock screen', async ({ page }) => {
  await openCounter(page);
  await page.keyboard.press('F10');
  const dialog = page.getByRole('dialog', { name: '柜台设置' });
  await expect(dialog.getByTestId('server-url')).not.toBeEmpty();
  await expectAccessible(page, '柜台设置');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  await page.keyboard.press('Control+l');
  const lock = page.getByTestId('lock-screen');
  await expect(lock.getByLabel('密码')).toBeFocused();
  await expectAccessible(page, 'lock screen');
  // The demo host is shared by this file's tests: open the counter again.
  await lock.getByLabel('密码').fill('demo1234');
  await page.keyboard.press('Enter');
  await expect(lock).toBeHidden();
});
