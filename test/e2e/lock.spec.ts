import { expect, test, type Page } from '@playwright/test';
import { expectAccessible } from './a11y';
import { shot, useDemoHost } from './demo-host';

/**
 * 锁屏 and 退出登录 (issue 13) in Chromium over the real demo: the idle lock after the desk's
 * idle time (the page's clock is moved, nothing sleeps), Ctrl+L and the button, a scan while
 * locked ignored, unlock with the operator's password, 换人登录 and 退出登录.
 */

const host = useDemoHost(200);
test.describe.configure({ mode: 'serial', timeout: 240_000 });

async function openCounter(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(host.url);
  await expect(page.locator('.operator-name')).not.toBeEmpty();
}

/** A student of the demo counter's checkpoint with a step that can be passed now. */
async function passableStudent(): Promise<string> {
  const { rows } = await host.call('students.search', { current: 'notDone', prereq: 'done', limit: 1 });
  const studentNo = rows[0]?.studentNo;
  if (!studentNo) throw new Error('the demo roster has no student pending here');
  return studentNo;
}

test('the idle lock hides the student, ignores scans and opens again with the same password', async ({ page }) => {
  // One minute of idle time, and reader timing wide enough for Playwright's keys on a loaded machine.
  const { settings } = await host.call('desk.settings', {});
  await host.call('desk.saveSettings', { ...settings, lock: { idleMinutes: 1 }, scanner: { ...settings.scanner, maxGapMs: 5000, maxAverageGapMs: 500, idleCommitMs: 0 } });
  await page.clock.install();
  await openCounter(page);
  const studentNo = await passableStudent();
  await page.getByLabel('学生学号').fill(studentNo);
  await page.keyboard.press('Enter');
  await expect(page.locator('.info-no')).toHaveText(studentNo);

  // Under a minute of quiet: still open.
  await page.clock.fastForward('00:50');
  await expect(page.locator('.info-no')).toHaveText(studentNo);
  await page.clock.fastForward('00:15');
  const lock = page.getByTestId('lock-screen');
  await expect(lock).toBeVisible();
  await expect(lock.getByRole('heading', { name: '柜台已锁定' })).toBeVisible();
  await expect(page.locator('.info-no')).toHaveCount(0);
  await expect(page.getByText(studentNo)).toHaveCount(0);
  expect((await host.call('session.lockState', {})).state).toBe('locked');

  // A card scanned at the locked counter goes nowhere: the screen says so, nothing is written.
  const unsentBefore = (await host.call('sync.status', {})).unsent;
  const password = lock.getByLabel('密码');
  await expect(password).toBeFocused();
  await page.keyboard.type(studentNo);
  await page.keyboard.press('Enter');
  await expect(lock.getByRole('status')).toHaveText('柜台已锁定，扫码未处理');
  await expect(page.locator('.info-no')).toHaveCount(0);
  await expect(password).toHaveValue('');
  await expect(lock.getByRole('alert')).toHaveCount(0);
  expect((await host.call('sync.status', {})).unsent).toBe(unsentBefore);

  await shot(page, 'lock-screen-1366');

  await password.fill('wrong-password');
  await page.keyboard.press('Enter');
  await expect(lock.getByRole('alert')).toContainText('密码错误');
  await expect(lock).toBeVisible();
  await password.fill('demo1234');
  await page.keyboard.press('Enter');
  await expect(lock).toBeHidden();
  await expect(page.locator('.operator-name')).not.toBeEmpty();
  expect((await host.call('session.lockState', {})).state).toBe('open');
});

test('Ctrl+L and the button lock on demand; 换人登录 opens under the next operator; 退出登录 asks for a sign-in', async ({ page }) => {
  await openCounter(page);
  await shot(page, 'header-with-settings-and-lock-1366');
  const lock = page.getByTestId('lock-screen');
  await page.keyboard.press('Control+l');
  await expect(lock).toBeVisible();
  // A reload does not open it: the lock is the back end's.
  await page.reload();
  await expect(lock).toBeVisible();

  await lock.getByRole('button', { name: '换人登录' }).click();
  await lock.getByLabel('工号').fill('A0001');
  await lock.getByLabel('密码').fill('demo1234');
  await page.keyboard.press('Enter');
  await expect(lock).toBeHidden();
  await expect(page.locator('.operator-name')).toHaveText('离校办主管');

  await page.getByRole('button', { name: /锁屏/ }).click();
  await expect(lock).toBeVisible();
  await lock.getByRole('button', { name: '退出登录' }).click();
  await expect(lock.getByRole('heading', { name: '请登录' })).toBeVisible();
  await expect(lock.getByLabel('工号')).toBeFocused();
  await expectAccessible(page, 'signed out');
  await shot(page, 'signed-out-1366');
  await lock.getByLabel('工号').fill('T0001');
  await lock.getByLabel('密码').fill('demo1234');
  await page.keyboard.press('Enter');
  await expect(lock).toBeHidden();
  await expect(page.locator('.operator-name')).not.toHaveText('离校办主管');
  expect((await host.call('session.get', {})).operator.id).toBe('T0001');
});
