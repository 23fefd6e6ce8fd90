import { expect, test } from '@playwright/test';
import { callCounter as call, runDemo, type RunningDemo } from './demo-host';

/** 换人登录 through the header's dialog: the demo server and one counter registered by 王老师 (T0001). */

const URL_PATTERN = /http:\/\/127\.0\.0\.1:\d+\/\?token=[^\s"'<>]+/;
const DEMO_PASSWORD = 'demo1234';
let demo: RunningDemo<string>;

test.beforeAll(async () => {
  demo = await runDemo(['--counters', '1', '--size', '200'], (output) => URL_PATTERN.exec(output)?.[0] ?? null);
});

test.afterAll(async () => {
  await demo?.stop();
});

test('a second demo operator signs in through the 换人 dialog; a wrong password changes nothing', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(demo.ready);
  const header = page.locator('.app-header');
  await expect(header.locator('.operator-name')).toHaveText('王老师');
  await expect(page.getByTestId('sync-indicator')).toContainText('在线');

  await header.getByRole('button', { name: '换人' }).click();
  const dialog = page.getByRole('dialog', { name: '换人登录（交接班）' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('当前操作员：王老师（T0001）');
  await expect(dialog.locator('input[name="operatorNo"]')).toBeFocused();

  await page.keyboard.type('S0004');
  await page.keyboard.press('Tab');
  await page.keyboard.type('not-the-password');
  await page.keyboard.press('Enter');
  await expect(dialog.getByRole('alert')).toHaveText('工号或密码错误');
  await expect(dialog.locator('input[name="password"]')).toBeFocused();
  await expect(header.locator('.operator-name')).toHaveText('王老师');
  await page.screenshot({ path: 'test-results/sign-in-dialog.png' });

  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(header.locator('.operator-name')).toHaveText('宿管中心离校点老师');
  // S0004 holds only 宿管中心离校点: the counter moves there.
  await expect(header.getByLabel('当前离校点')).toHaveValue('dorm');
  await expect(page.getByTestId('flash')).toContainText('已换人：当前操作员 宿管中心离校点老师（S0004）');
  await page.screenshot({ path: 'test-results/sign-in-done.png' });

  const session = await call(demo.ready, 'session.get', {});
  expect(session).toMatchObject({ operator: { id: 'S0004' }, checkpointId: 'dorm', checkpoints: [{ id: 'dorm' }] });
  const { rows } = await call(demo.ready, 'students.search', { current: 'notDone', limit: 1 });
  const studentNo = rows[0]!.studentNo;
  const detail = await call(demo.ready, 'steps.apply', { studentNo, stepId: 'dorm-clearance', action: 'pass', note: '' });
  expect(detail.actions.find((a) => a.id === 'dorm-clearance')).toMatchObject({ status: 'passed', updatedBy: '宿管中心离校点老师' });
  await expect(page.getByTestId('sync-indicator')).toContainText('未同步 0 条');

  // Esc closes the dialog without signing anyone in.
  await header.getByRole('button', { name: '换人' }).click();
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(header.locator('.operator-name')).toHaveText('宿管中心离校点老师');
});
