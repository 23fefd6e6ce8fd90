import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, expect, test } from '@playwright/test';
import { ensureDemoReplica } from '../../src-main/demo/demo-replica';
import { electronBinary, ensureElectronSqlite, projectRoot } from '../../scripts/electron-app';

// Runs through playwright.electron.config.ts, which `npm run test:e2e` uses only where the
// Electron binary is installed (it cannot be downloaded on the build machine).
test('the real Electron app on app://counter: a wedge scan shows the student, a step is confirmed, a file: URL cannot take over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-electron-'));
  const dbPath = join(dir, 'counter.db');
  const { replica } = ensureDemoReplica({ path: dbPath, size: 200 });
  const row = replica.sqlite
    .prepare("select student_no from step_states where step_id = 'return-student-card' and status = 'pending' limit 1")
    .get() as { student_no: string };
  replica.close();

  const app = await _electron.launch({
    executablePath: electronBinary() ?? undefined,
    args: [join(projectRoot, 'out/main/index.js'), `--db=${dbPath}`],
    env: { ...process.env, LIXIAO_SQLITE_BINDING: ensureElectronSqlite() } as Record<string, string>,
  });
  const page = await app.firstWindow();
  // The renderer comes from the app's own scheme, not from a file: URL.
  await expect(page).toHaveURL('app://counter/index.html');
  const exposed = await page.evaluate(() => ({
    bridge: typeof (window as unknown as { lixiaoBridge?: unknown }).lixiaoBridge,
    require: typeof (window as unknown as { require?: unknown }).require,
    process: typeof (window as unknown as { process?: unknown }).process,
  }));
  expect(exposed).toEqual({ bridge: 'object', require: 'undefined', process: 'undefined' });

  await page.keyboard.type(row.student_no, { delay: 5 });
  await page.keyboard.press('Enter');
  await expect(page.locator('.info-no')).toHaveText(row.student_no);
  const opRow = page.locator('.ops-card li[data-step="return-student-card"]');
  await opRow.getByRole('button', { name: '通过' }).click();
  await expect(page.locator('.record-card li[data-step="return-student-card"]')).toContainText('已通过');
  await page.screenshot({ path: join(projectRoot, 'test-results/electron-counter.png') });

  const opened = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length);
  expect(opened).toBe(1);
  // Navigation away from app://counter is refused: a file on disk never becomes the counter.
  const attempted = app.evaluate(
    ({ BrowserWindow }) =>
      new Promise<string>((resolve) => BrowserWindow.getAllWindows()[0]!.webContents.once('will-navigate', (_event, url) => resolve(url))),
  );
  await page.evaluate(() => {
    location.href = 'file:///etc/hostname';
  });
  expect(await attempted).toBe('file:///etc/hostname');
  await expect(page).toHaveURL(/^app:\/\/counter\//);
  await expect(page.locator('.info-no')).toHaveText(row.student_no);
  await app.close();
});
