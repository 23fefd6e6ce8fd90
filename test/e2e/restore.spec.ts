import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { expectAccessible } from './a11y';
import { callCounter, runDemo, shot } from './demo-host';

/**
 * Issue 23 on screen: the demo server's data folder is copied away (the backup), the library
 * system passes 归还图书 for two students and the counter shows it, then the folder is copied
 * back (the restore). After the restart the counter shows the banner naming both passes.
 */

const URL_PATTERN = /http:\/\/127\.0\.0\.1:\d+\/\?token=[^\s"'<>]+/;
const SERVER_PATTERN = /离校服务器已启动: (http:\/\/\S+?)（/;
const root = join(import.meta.dirname, '../..');
const data = mkdtempSync(join(tmpdir(), 'lixiao-e2e-restore-'));

test.afterAll(() => rmSync(data, { recursive: true, force: true }));

/** The counters keep the server's address: every start of the demo serves it on the same port. */
const serverPort = new Promise<number>((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as AddressInfo;
    probe.close(() => resolve(port));
  });
});

/**
 * The demo's process group has its signal when stop() returns, but the server below npx and tsx
 * may still be closing PGlite: the folder is copied once no file in it has changed for a second.
 * PGlite's postmaster.pid is a lock, not data, and is left out of every copy.
 */
function folderState(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const path = join(e.parentPath, e.name);
      const stat = statSync(path, { throwIfNoEntry: false });
      return `${path}:${stat?.size}:${stat?.mtimeMs}`;
    })
    .sort()
    .join('\n');
}

async function settled(dir: string): Promise<void> {
  let before = folderState(dir);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = folderState(dir);
    if (now === before) return;
    before = now;
  }
}

const copyData = (from: string, to: string) => cpSync(from, to, { recursive: true, filter: (src) => !src.endsWith('postmaster.pid') });

const startDemo = async () =>
  runDemo(['--data', data, '--port', '0', '--server-port', String(await serverPort), '--size', '200'], (output) => {
    const counter = URL_PATTERN.exec(output)?.[0];
    const server = SERVER_PATTERN.exec(output)?.[1];
    return counter && server ? { counter, server } : null;
  });

test('after the server is restored from a backup the counter shows what the restore dropped', async ({ page }) => {
  test.setTimeout(600_000);
  const seeded = execFileSync(process.execPath, ['--import', 'tsx', 'src-server/cli.ts', 'seed-demo', '--size', '200', '--data-dir', join(data, 'server')], {
    cwd: root,
    encoding: 'utf8',
  });
  const libraryKey = /接口密钥 library：(\S+)/.exec(seeded)?.[1];
  expect(libraryKey).toBeTruthy();

  // First start registers the counter; the backup is taken with the server stopped.
  let demo = await startDemo();
  await demo.stop();
  await settled(join(data, 'server'));
  copyData(join(data, 'server'), join(data, 'backup'));

  demo = await startDemo();
  const booksOf = async (url: string, studentNo: string) =>
    (await callCounter(url, 'students.detail', { studentNo })).record.flatMap((c) => c.steps).find((s) => s.id === 'return-books')?.status;
  const { rows } = await callCounter(demo.ready.counter, 'students.search', { current: 'notDone', limit: 50 });
  const lost: string[] = [];
  for (const row of rows) {
    if (lost.length < 2 && (await booksOf(demo.ready.counter, row.studentNo)) === 'pending') lost.push(row.studentNo);
  }
  expect(lost).toHaveLength(2);
  for (const studentNo of lost) {
    const res = await fetch(`${demo.ready.server}/api/integration/steps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': libraryKey! },
      body: JSON.stringify({ opId: randomUUID(), studentNo, stepId: 'return-books', status: 'passed' }),
    });
    expect(res.status).toBe(200);
  }
  for (const studentNo of lost) {
    await expect
      .poll(() => booksOf(demo.ready.counter, studentNo), { timeout: 30_000 })
      .toBe('passed');
  }
  await demo.stop();

  await settled(join(data, 'server'));
  rmSync(join(data, 'server'), { recursive: true, force: true });
  copyData(join(data, 'backup'), join(data, 'server'));
  demo = await startDemo();
  try {
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(demo.ready.counter);
    const banner = page.getByTestId('restore-banner');
    await expect(banner).toContainText(/服务器已从 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d 的备份恢复；本机曾看到的 2 条办理记录已不在服务器上/, { timeout: 60_000 });
    for (const studentNo of lost) await expect(banner).toContainText(studentNo);
    await expect(banner).toContainText('图书馆');
    for (const studentNo of lost) expect(await booksOf(demo.ready.counter, studentNo)).toBe('pending');
    await shot(page, 'restore-banner');
    await expectAccessible(page, 'restore banner');
    await banner.getByRole('button', { name: '知道了' }).click();
    await expect(banner).toHaveCount(0);
  } finally {
    await demo.stop();
  }
});
