import { expect, test, type Page } from '@playwright/test';
import type { StudentDetail } from '../../src-shared/contract/counter-api';
import { setScannerTiming, shot, useDemoHost, WIDE_SCANNER_SETTINGS } from './demo-host';

const host = useDemoHost(300);


async function openCounter(page: Page): Promise<void> {
  await setScannerTiming(host, WIDE_SCANNER_SETTINGS);
  await page.goto(host.url);
  await expect(page.locator('.operator-name')).not.toBeEmpty();
}

async function switchCheckpoint(page: Page, checkpointId: string): Promise<void> {
  await page.getByLabel('当前离校点').selectOption(checkpointId);
  await expect.poll(async () => (await host.call('session.get', {})).checkpointId).toBe(checkpointId);
}

async function findStudent(filter: { prereq?: 'done' | 'notDone'; current?: 'done' | 'notDone' }, fits: (d: StudentDetail) => boolean): Promise<StudentDetail> {
  const { rows } = await host.call('students.search', { ...filter, limit: 500 });
  for (const row of rows) {
    const detail = await host.call('students.detail', { studentNo: row.studentNo });
    if (fits(detail)) return detail;
  }
  throw new Error(`no student in the demo roster fits (${JSON.stringify(filter)})`);
}

async function scan(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text, { delay: 5 });
  await page.keyboard.press('Enter');
}

async function stepOf(studentNo: string, stepId: string) {
  const detail = await host.call('students.detail', { studentNo });
  return detail.actions.find((a) => a.id === stepId);
}

const STEP = 'degree-cert';

test('扫码即办 at the certificate desk: a pass, a blocked student and garbage, each answered large; Ctrl+Z revokes the pass', async ({ page }) => {
  await openCounter(page);
  await switchCheckpoint(page, 'certificates');
  const ready = await findStudent({ prereq: 'done', current: 'notDone' }, (d) => d.inScope && d.actions.find((a) => a.id === STEP)?.pass === null);
  const blocked = await findStudent({ prereq: 'notDone' }, (d) => d.inScope && d.actions.find((a) => a.id === STEP)?.pass?.code === 'blocked');

  await page.keyboard.press('F3');
  const picker = page.getByRole('dialog', { name: '扫码即办：选择要办理的步骤' });
  await expect(picker.getByRole('option')).toHaveText(['1领取学位证需先完成其他离校点', '2领取毕业/结业证需先完成其他离校点', '3领取报到证需先完成其他离校点', '4领取户口迁移证明需先完成其他离校点']);
  await shot(page, 'quick-picker-1366');
  await page.keyboard.press('1');
  await expect(picker).toHaveCount(0);

  const quick = page.getByTestId('quick-mode');
  const card = page.getByTestId('quick-result');
  const count = page.getByTestId('quick-count');
  await expect(page.getByTestId('quick-step')).toHaveText('领取学位证');
  await expect(quick.locator('.quick-mode-checkpoint')).toHaveText('机电工程学院领取证件');
  await expect(card).toHaveAttribute('data-kind', 'idle');
  await expect(count).toHaveText('0');
  await expect(page.getByLabel('学生学号')).toBeHidden();
  await shot(page, 'quick-idle-1366');

  await scan(page, ready.student.studentNo);
  await expect(card).toHaveAttribute('data-kind', 'passed');
  await expect(card.getByTestId('quick-verdict')).toHaveText('已通过');
  await expect(card.getByTestId('quick-name')).toHaveText(ready.student.name);
  await expect(card).toContainText(ready.student.studentNo);
  await expect(card).toContainText(ready.student.className);
  await expect(count).toHaveText('1');
  await expect.poll(async () => (await stepOf(ready.student.studentNo, STEP))?.status).toBe('passed');
  await shot(page, 'quick-passed-1366');

  await scan(page, blocked.student.studentNo);
  await expect(card).toHaveAttribute('data-kind', 'blocked');
  await expect(card.getByTestId('quick-verdict')).toHaveText('无法办理');
  await expect(card.getByTestId('quick-name')).toHaveText(blocked.student.name);
  const missing = card.getByTestId('quick-missing').locator('li');
  await expect(missing).toHaveCount(blocked.missing.length);
  for (const [i, group] of blocked.missing.entries()) {
    await expect(missing.nth(i)).toContainText(group.checkpointName);
    for (const s of group.steps) await expect(missing.nth(i)).toContainText(s.name);
  }
  await expect(count).toHaveText('1');
  expect((await stepOf(blocked.student.studentNo, STEP))?.status).toBe('pending');
  await shot(page, 'quick-blocked-1366');

  await scan(page, 'ABC-123-XYZ');
  await expect(card).toHaveAttribute('data-kind', 'invalid');
  await expect(card.getByTestId('quick-verdict')).toHaveText('无法识别');
  await expect(card).toContainText('无法识别的内容，请扫描学生证或输入学号、姓名、身份证号');
  await shot(page, 'quick-invalid-1366');

  const recent = page.getByTestId('quick-recent').locator('li');
  await expect(recent).toHaveCount(3);
  await expect(recent.nth(0)).toHaveAttribute('data-kind', 'invalid');
  await expect(recent.nth(1)).toHaveAttribute('data-kind', 'blocked');
  await expect(recent.nth(2)).toHaveAttribute('data-kind', 'passed');

  // Ctrl+Z reaches past the garbage scan to the last pass, and only once.
  await page.keyboard.press('Control+z');
  await expect(quick.getByTestId('flash')).toHaveText(`已撤销：${ready.student.name} 的 领取学位证`);
  await expect(recent.nth(2)).toContainText('已撤销');
  await expect(card).toHaveAttribute('data-undone', 'true');
  await expect(card.getByTestId('quick-verdict')).toHaveText('已撤销');
  await expect(card.getByTestId('quick-name')).toHaveText(ready.student.name);
  await expect(count).toHaveText('0');
  await expect.poll(async () => (await stepOf(ready.student.studentNo, STEP))?.status).toBe('pending');
  expect((await stepOf(ready.student.studentNo, STEP))?.note).toBe('撤销误操作');
  await shot(page, 'quick-undone-1366');

  await page.keyboard.press('Control+z');
  await expect(quick.getByTestId('flash')).toHaveText('上一位的办理已撤销');
  expect((await stepOf(ready.student.studentNo, STEP))?.status).toBe('pending');

  // Scanned again after the undo, the student is passed again and counted again.
  await scan(page, ready.student.studentNo);
  await expect(card).toHaveAttribute('data-kind', 'passed');
  await expect(count).toHaveText('1');
  // The same card again within 1.5 s is a double read and dropped by the wedge detector; later it is a second visit.
  await page.waitForTimeout(1600);
  await scan(page, ready.student.studentNo);
  await expect(card.getByTestId('quick-verdict')).toHaveText('已办理过');
  await expect(card).toHaveAttribute('data-kind', 'already');
  await expect(count).toHaveText('1');
  await shot(page, 'quick-already-1366');

  // Out of quick mode the workspace is back, and 最近办理 lists the pass, the undo and the pass again.
  await page.keyboard.press('F3');
  await expect(quick).toHaveCount(0);
  await expect(page.getByLabel('学生学号')).toBeVisible();
  const activity = page.locator('.activity-card li');
  await expect(activity).toHaveCount(3);
  await expect(activity.nth(1)).toContainText('撤销误操作');
  await expect(activity.nth(2)).toContainText('已撤销');
});

test('最近办理: 撤销 takes back a pass made in the student view; neither the undone pass nor the undo offers 撤销 again', async ({ page }) => {
  await openCounter(page);
  await switchCheckpoint(page, 'dorm');
  const student = await findStudent({ current: 'notDone' }, (d) => d.inScope && d.actions.find((a) => a.id === 'dorm-clearance')?.pass === null);
  const { studentNo, name } = student.student;

  await page.getByLabel('学生学号').click();
  await scan(page, studentNo);
  await expect(page.locator('.info-no')).toHaveText(studentNo);
  await page.locator('.ops-card li[data-step="dorm-clearance"]').getByRole('button', { name: '通过', exact: true }).click();
  await expect.poll(async () => (await stepOf(studentNo, 'dorm-clearance'))?.status).toBe('passed');

  const rows = page.locator('.activity-card li');
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole('button', { name: '撤销' }).click();
  await expect(page.getByTestId('flash').first()).toHaveText(`已撤销：${name} 的 清理宿舍物品`);
  await expect.poll(async () => (await stepOf(studentNo, 'dorm-clearance'))?.status).toBe('pending');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('撤销误操作');
  await expect(rows.nth(1)).toContainText('已撤销');
  // The undo itself is a revoke: it has no 撤销 of its own.
  await expect(page.locator('.activity-card').getByRole('button', { name: '撤销' })).toHaveCount(0);
  await expect(page.locator(`.record-card li[data-step="dorm-clearance"]`)).toContainText('未办理');
  await shot(page, 'recent-undo-1366');
});

test('two scans 50 ms apart in quick mode are answered in order; the workspace under quick mode is left alone', async ({ page }) => {
  await openCounter(page);
  await switchCheckpoint(page, 'utilities');
  const { rows } = await host.call('students.search', { current: 'notDone', limit: 50 });
  const pending = [];
  for (const row of rows) {
    if ((await stepOf(row.studentNo, 'electricity'))?.pass === null) pending.push(row);
    if (pending.length === 3) break;
  }
  const [hidden, first, second] = pending;
  if (!hidden || !first || !second) throw new Error('the demo roster has fewer than three students pending at 水电通信中心离校点');

  // A student open with the step ticked, then quick mode on top of it.
  await page.getByLabel('学生学号').click();
  await scan(page, hidden.studentNo);
  await expect(page.locator('.info-no')).toHaveText(hidden.studentNo);
  await page.locator('.ops-card li[data-step="electricity"]').getByRole('checkbox').check();

  // 水电通信中心 has one manual step: quick mode starts on it without a picker.
  await page.getByRole('button', { name: /扫码即办/ }).click();
  await expect(page.getByTestId('quick-step')).toHaveText('清理电费');
  await scan(page, first.studentNo);
  await page.waitForTimeout(50);
  await scan(page, second.studentNo);

  const recent = page.getByTestId('quick-recent').locator('li');
  await expect(recent).toHaveCount(2);
  await expect(recent.nth(0)).toContainText(second.name);
  await expect(recent.nth(1)).toContainText(first.name);
  await expect(page.getByTestId('quick-count')).toHaveText('2');
  expect((await stepOf(first.studentNo, 'electricity'))?.status).toBe('passed');
  expect((await stepOf(second.studentNo, 'electricity'))?.status).toBe('passed');

  // F9 and Esc belong to the hidden workspace: they neither submit its ticked step nor clear it.
  await page.keyboard.press('F9');
  await page.keyboard.press('Escape');
  await page.waitForTimeout(300);
  expect((await stepOf(hidden.studentNo, 'electricity'))?.status).toBe('pending');
  await page.keyboard.press('F3');
  await expect(page.locator('.info-no')).toHaveText(hidden.studentNo);
  await expect(page.locator('.ops-card li[data-step="electricity"]').getByRole('checkbox')).toBeChecked();
});
