import { expect, test } from '@playwright/test';
import { expectAccessible } from './a11y';
import { runDemo, type RunningDemo } from './demo-host';

/** First run: a counter without a replica opens on the setup screen and ends up synced. */

let demo: RunningDemo<{ serverUrl: string; pageUrl: string; fingerprint: string; registrationCode: string }>;
let pageUrl = '';
let serverUrl = '';
let fingerprint = '';
/** The one-time code the demo issued as the administrator would. */
let registrationCode = '';

/** The demo server over HTTPS with its self-signed certificate; the fingerprint is what the admin would read out. */
test.beforeAll(async () => {
  demo = await runDemo(['--setup', '--tls', '--size', '120'], (output) => {
    const server = /离校服务器已启动: (https:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    const print = /服务器证书 SHA-256 指纹: ([0-9A-F:]{95})/.exec(output)?.[1];
    const page = /http:\/\/127\.0\.0\.1:\d+\/\?token=[^\s"'<>]+/.exec(output)?.[0];
    const code = /柜台 1 的注册码（一次有效，24 小时内）: ([A-Z0-9-]{14})/.exec(output)?.[1];
    return server && page && print && code ? { serverUrl: server, pageUrl: page, fingerprint: print, registrationCode: code } : null;
  });
  ({ serverUrl, pageUrl, fingerprint, registrationCode } = demo.ready);
});

/** The fingerprint as the screen groups it: four bytes a group, groups side by side. */
function groupsOf(print: string): string {
  const bytes = print.split(':');
  const groups: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) groups.push(bytes.slice(i, i + 4).join(':'));
  return groups.join('');
}

test.afterAll(async () => {
  await demo?.stop();
});

test('setup: server address, certificate fingerprint, 工号 login, batch, download with progress, checkpoint, then the counter online', async ({ page }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(pageUrl);
  const setup = page.getByTestId('setup-screen');
  await expect(setup).toContainText('首次使用');
  await expectAccessible(page, 'setup screen');
  // Plain HTTP to another machine is refused with the reason, before anything is sent.
  await setup.locator('input[name=serverUrl]').fill('http://10.0.0.5:8787');
  await setup.getByRole('button', { name: '连接服务器' }).click();
  await expect(setup.getByRole('alert')).toContainText('不能用 http:// 连接 http://10.0.0.5:8787');
  // No scheme means HTTPS: the screen shows the certificate's fingerprint to compare.
  await setup.locator('input[name=serverUrl]').fill(serverUrl.replace('https://', ''));
  await setup.getByRole('button', { name: '连接服务器' }).click();
  await expect(setup.getByTestId('setup-fingerprint')).toHaveText(groupsOf(fingerprint));
  await expect(setup.locator('input[name=password]')).toHaveCount(0);
  await expectAccessible(page, 'setup screen, comparing the certificate fingerprint');
  await page.screenshot({ path: 'test-results/sync-setup-fingerprint.png' });
  await setup.getByRole('button', { name: '指纹一致，信任此服务器' }).click();
  await expect(setup).toContainText('已确认服务器');
  await setup.locator('input[name=operatorNo]').fill('T0001');
  await setup.locator('input[name=password]').fill('wrong-password');
  await setup.getByRole('button', { name: '登录' }).click();
  await expect(setup.getByRole('alert')).toContainText('工号或密码错误');
  await expectAccessible(page, 'setup screen, wrong password');
  await setup.locator('input[name=password]').fill('demo1234');
  await setup.getByRole('button', { name: '登录' }).click();
  await expect(setup.locator('select[name=batchId]')).toBeVisible();
  // A password alone does not register a counter.
  await setup.locator('input[name=registrationCode]').fill('AAAA-BBBB-CCCC');
  await setup.getByRole('button', { name: '下载数据' }).click();
  await expect(setup.getByRole('alert')).toContainText('柜台注册码不对、已用过或已过期');
  await expectAccessible(page, 'setup screen, wrong registration code');
  await page.screenshot({ path: 'test-results/sync-setup-registration-code.png' });
  await setup.locator('input[name=registrationCode]').fill(registrationCode);
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
