import { expect, test, type Page } from '@playwright/test';
import type { UpdateInstallDto, UpdateStatusDto } from '../../src-shared/contract/update-api';
import { updateText } from '../../src-shared/i18n/update.zh-CN';
import { expectAccessible } from './a11y';
import { shot, useDemoHost } from './demo-host';

const host = useDemoHost(200);

test('the browser host cannot update itself and says so; its feed is the demo server\'s /updates/', async ({ page }) => {
  expect(await host.call('update.status', {})).toMatchObject({ phase: 'unavailable' });
  await expect(host.call('update.install', {})).rejects.toThrow(updateText.notHere);
  const { url } = await host.call('update.feed', {});
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/updates\/$/);
  // Nothing published yet: the server's feed answers, in Chinese, that there is no such file.
  const answer = await fetch(`${url}latest.yml`);
  expect(answer.status).toBe(404);
  expect(((await answer.json()) as { error: { message: string } }).error.message).toBe('没有这个更新文件：latest.yml');

  await page.goto(host.url);
  await expect(page.getByTestId('sync-indicator')).toBeVisible();
  await expect(page.locator('.update-notice')).toHaveCount(0);
});

/**
 * In the desktop app the main process answers update.status and update.install from
 * electron-updater; without the Electron binary a page route stands in for those two answers,
 * and everything else is the real browser host.
 */
async function standInForMainProcess(page: Page, status: UpdateStatusDto, install: UpdateInstallDto): Promise<{ installs: number }> {
  const seen = { installs: 0 };
  await page.route('**/api/call/update.status', (route) => route.fulfill({ json: { ok: true, value: status } }));
  await page.route('**/api/call/update.install', (route) => {
    seen.installs++;
    return route.fulfill({ json: { ok: true, value: install } });
  });
  return seen;
}

test('新版本 x.y.z 已下载 in the header; 重启更新 mid-operation is refused with the reason', async ({ page }) => {
  const seen = await standInForMainProcess(
    page,
    { phase: 'ready', currentVersion: '1.2.0', version: '1.3.0', percent: 100, error: null },
    { installing: false, reason: updateText.busy.call },
  );
  await page.goto(host.url);
  const notice = page.getByTestId('update-notice');
  await expect(notice).toContainText('新版本 1.3.0 已下载');
  await notice.getByRole('button', { name: '重启更新' }).click();
  await expect(page.getByText(updateText.installFailed(updateText.busy.call))).toBeVisible();
  expect(seen.installs).toBe(1);
  await expectAccessible(page, 'update-ready');
  await shot(page, 'update-ready');
});

test('a download in progress, and a failed one, show quietly in the header', async ({ page }) => {
  await standInForMainProcess(page, { phase: 'downloading', currentVersion: '1.2.0', version: '1.3.0', percent: 42.7, error: null }, { installing: false, reason: updateText.notReady });
  await page.goto(host.url);
  await expect(page.locator('.update-downloading')).toHaveText('正在下载新版本 1.3.0（42%）');
  await page.unroute('**/api/call/update.status');
  await page.route('**/api/call/update.status', (route) =>
    route.fulfill({ json: { ok: true, value: { phase: 'failed', currentVersion: '1.2.0', version: null, percent: null, error: `${updateText.failed}：sha512 checksum mismatch` } } }),
  );
  await page.reload();
  const failed = page.locator('.update-failed');
  await expect(failed).toHaveText(updateText.failed);
  await expect(failed).toHaveAttribute('title', `${updateText.failed}：sha512 checksum mismatch`);
  await expectAccessible(page, 'update-failed');
});
