import { expect, test } from '@playwright/test';
import { expectAccessible } from './a11y';
import { runDemo, type RunningDemo } from './demo-host';

/** First run: a counter without a replica opens on the setup screen and ends up synced. */

let demo: RunningDemo<{ serverUrl: string; pageUrl: string }>;
let pageUrl = '';
let serverUrl = '';

test.beforeAll(async () => {
  demo = await runDemo(['--setup', '--size', '120'], (output) => {
    const server = /离校服务器已启动: (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    const page = /http:\/\/127\.0\.0\.1:\d+\/\?token=[^\s"'<>]+/.exec(output)?.[0];
    return server && page ? { serverUrl: server, pageUrl: page } : null;
  });
  ({ serverUrl, pageUrl } = demo.ready);
});

test.afterAll(async () => {
  await demo?.stop();
});

test('setup: server address, 工号 login, batch, download with progress, checkpoint, then the counter online', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(pageUrl);
  const setup = page.getByTestId('setup-screen');
  await expect(setup).toContainText('首次使用');
  await expectAccessible(page, 'setup screen');
  await setup.locator('input[name=serverUrl]').fill(serverUrl.replace('http://', ''));
  await setup.locator('input[name=operatorNo]').fill('T0001');
  await setup.locator('input[name=password]').fill('wrong-password');
  await setup.getByRole('button', { name: '登录' }).click();
  await expect(setup.getByRole('alert')).toContainText('工号或密码错误');
  await expectAccessible(page, 'setup screen, wrong password');
  await setup.locator('input[name=password]').fill('demo1234');
  await setup.getByRole('button', { name: '登录' }).click();
  await expect(setup.locator('select[name=batchId]')).toBeVisible();
  await setup.getByRole('button', { name: '下载数据' }).click();
  await expect(setup.locator('select[name=checkpointId]')).toBeVisible({ timeout: 60_000 });
  await expect(setup).toContainText(/已下载 \d+ \/ \d+ 行/);
  await expectAccessible(page, 'setup screen, choosing the checkpoint');
  await setup.locator('select[name=checkpointId]').selectOption({ label: '宿管中心离校点' });
  await setup.getByRole('button', { name: '开始办理' }).click();
  await expect(page.getByTestId('sync-indicator')).toContainText('在线');
  await expect(page.locator('.checkpoint-switch select')).toHaveValue('dorm');
  await page.screenshot({ path: 'test-results/sync-setup-done.png' });
});
