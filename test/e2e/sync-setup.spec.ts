import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

/** First run: a counter without a replica opens on the setup screen and ends up synced. */

let child: ChildProcess;
let dataDir: string;
let pageUrl = '';
let serverUrl = '';

test.beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lixiao-e2e-setup-'));
  child = spawn('npx', ['tsx', 'scripts/demo.ts', '--browser', '--no-open', '--setup', '--size', '120', '--data', dataDir], {
    cwd: join(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo printed no URL:\n${output}`)), 150_000);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      serverUrl = /离校服务器已启动: (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
      pageUrl = /http:\/\/127\.0\.0\.1:\d+\/\?token=[^\s"'<>]+/.exec(output)?.[0] ?? '';
      if (serverUrl && pageUrl) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
  });
});

test.afterAll(async () => {
  if (child?.pid) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test('setup: server address, 工号 login, batch, download with progress, checkpoint, then the counter online', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(pageUrl);
  const setup = page.getByTestId('setup-screen');
  await expect(setup).toContainText('首次使用');
  await setup.locator('input[name=serverUrl]').fill(serverUrl.replace('http://', ''));
  await setup.locator('input[name=operatorNo]').fill('T0001');
  await setup.locator('input[name=password]').fill('wrong-password');
  await setup.getByRole('button', { name: '登录' }).click();
  await expect(setup.getByRole('alert')).toContainText('工号或密码错误');
  await setup.locator('input[name=password]').fill('demo1234');
  await setup.getByRole('button', { name: '登录' }).click();
  await expect(setup.locator('select[name=batchId]')).toBeVisible();
  await setup.getByRole('button', { name: '下载数据' }).click();
  await expect(setup.locator('select[name=checkpointId]')).toBeVisible({ timeout: 60_000 });
  await expect(setup).toContainText(/已下载 \d+ \/ \d+ 行/);
  await setup.locator('select[name=checkpointId]').selectOption({ label: '宿管中心离校点' });
  await setup.getByRole('button', { name: '开始办理' }).click();
  await expect(page.getByTestId('sync-indicator')).toContainText('在线');
  await expect(page.locator('.checkpoint-switch select')).toHaveValue('dorm');
  await page.screenshot({ path: 'test-results/sync-setup-done.png' });
});
