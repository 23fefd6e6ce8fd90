import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { expectAccessible } from './a11y';
import { runDemo, type RunningDemo } from './demo-host';

/** The server's certificate is replaced between two runs of the demo: the counter stops syncing until the new one is confirmed. */

const dataDir = mkdtempSync(join(tmpdir(), 'lixiao-e2e-cert-'));
let demo: RunningDemo<{ pageUrl: string; fingerprint: string }> | null = null;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function start(serverPort: number) {
  return runDemo(
    ['--tls', '--size', '120', '--server-port', String(serverPort)],
    (output) => {
      const fingerprint = /服务器证书 SHA-256 指纹: ([0-9A-F:]{95})/.exec(output)?.[1];
      const pageUrl = /http:\/\/127\.0\.0\.1:\d+\/\?token=[^\s"'<>]+/.exec(output)?.[0];
      return fingerprint && pageUrl ? { pageUrl, fingerprint } : null;
    },
    { dataDir },
  );
}

test.afterAll(async () => {
  await demo?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a replaced server certificate stops sync; the operator compares the new fingerprint and confirms it', async ({ page }) => {
  test.setTimeout(300_000);
  const serverPort = await freePort();
  demo = await start(serverPort);
  const first = demo.ready.fingerprint;
  await demo.stop();
  // The administrator replaces the certificate (here: the demo makes a new one on its next run).
  rmSync(join(dataDir, 'tls'), { recursive: true, force: true });
  demo = await start(serverPort);
  const second = demo.ready.fingerprint;
  expect(second).not.toBe(first);

  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(demo.ready.pageUrl);
  const indicator = page.getByTestId('sync-indicator');
  await expect(indicator).toContainText('服务器出错', { timeout: 30_000 });
  await expect(indicator).toHaveAttribute('title', /证书与本柜台设置时核对的不一致/);
  await expectAccessible(page, 'counter, server certificate changed');
  await indicator.getByRole('button', { name: '服务器证书已改变' }).click();
  const panel = page.getByTestId('certificate-changed');
  await expect(panel).toContainText(first);
  await expect(panel).toContainText(second);
  await expectAccessible(page, 'sync panel, server certificate changed');
  await page.screenshot({ path: 'test-results/certificate-changed.png' });
  await panel.getByRole('button', { name: '指纹一致，信任新证书' }).click();
  await expect(page.getByTestId('certificate-changed')).toHaveCount(0);
  await expect(indicator).toContainText('在线', { timeout: 30_000 });
});
