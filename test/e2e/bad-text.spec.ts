import { expect, test } from '@playwright/test';
import { setScannerTiming, shot, useDemoHost } from './demo-host';

/**
 * Issue 21: a note with a NUL and half an emoji, put into the counter's note box, is refused
 * with a Chinese message naming the note; the counter stays 在线 and its outbox empty (before,
 * such an op was saved, every push of it answered 500 and the counter showed 离线 for good).
 */

const host = useDemoHost(300);

test('a note with a NUL and half an emoji is refused; the counter stays 在线 with nothing unsent', async ({ page }) => {
  await setScannerTiming(host, { maxGapMs: 1500, maxAverageGapMs: 150, idleCommitMs: 0 });
  await page.goto(host.url);
  await expect(page.locator('.operator-name')).not.toBeEmpty();
  const indicator = page.getByTestId('sync-indicator');
  await expect(indicator).toContainText('在线');

  const { rows } = await host.call('students.search', { current: 'notDone', limit: 100 });
  let target: { studentNo: string; stepId: string; stepName: string } | null = null;
  for (const row of rows) {
    const detail = await host.call('students.detail', { studentNo: row.studentNo });
    const step = detail.actions.find((a) => a.reject === null && a.status === 'pending');
    if (detail.inScope && step) {
      target = { studentNo: row.studentNo, stepId: step.id, stepName: step.name };
      break;
    }
  }
  expect(target).not.toBeNull();
  const { studentNo, stepId, stepName } = target!;

  const noField = page.getByLabel('学生学号');
  await noField.fill(studentNo);
  await noField.press('Enter');
  await expect(page.locator('.info-no')).toHaveText(studentNo);

  // Typed or pasted, the characters reach the box as they are: made in the page, not sent through the test driver.
  const noteBox = page.locator(`.ops-card li[data-step="${stepId}"]`).getByLabel(`${stepName} 备注`);
  await noteBox.evaluate((input: HTMLInputElement) => {
    const value = `证件${String.fromCharCode(0)}损坏${String.fromCharCode(0xd83d)}`;
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  expect(await noteBox.evaluate((input: HTMLInputElement) => [...input.value].map((c) => c.codePointAt(0)))).toContain(0);

  await page.locator(`.ops-card li[data-step="${stepId}"]`).getByRole('button', { name: '未通过' }).click();
  await page.locator(`#reason-${stepId}`).press('Enter');
  const flash = page.getByTestId('flash');
  await expect(flash).toContainText('备注含有不可见的控制字符（第 3 个字符，U+0000），请删除后重新输入');
  await expect(indicator).toContainText('在线');
  await expect(indicator).toContainText('未同步 0 条');
  await shot(page, 'bad-text-refused-1366');

  const status = await host.call('sync.status', {});
  expect(status).toMatchObject({ state: 'online', unsent: 0, stuck: null });
  const detail = await host.call('students.detail', { studentNo });
  expect(detail.actions.find((a) => a.id === stepId)?.status).toBe('pending');

  // Half an emoji alone is refused the same way, naming what it is.
  await page.locator(`#reason-${stepId}`).evaluate((input: HTMLInputElement) => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, `钥匙${String.fromCharCode(0xd83d)}`);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.locator(`#reason-${stepId}`).press('Enter');
  await expect(flash).toContainText('备注含有残缺的字符');
  expect(await host.call('sync.status', {})).toMatchObject({ state: 'online', unsent: 0 });
});
