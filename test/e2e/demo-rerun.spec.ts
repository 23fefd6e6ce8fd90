import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { eq } from 'drizzle-orm';
import { openDatabase } from '../../src-server/db/database';
import { ops } from '../../src-server/db/schema';
import { callCounter, runDemo } from './demo-host';

/**
 * `npm run demo` run again on the same data (issue 16): the counters set up by the first run
 * sync with the server of every later run, whether its old port is free or taken meanwhile.
 */

const URL_PATTERN = /http:\/\/127\.0\.0\.1:\d+\/\?token=[^\s"'<>]+/;
const SERVER_PATTERN = /离校服务器已启动: (http:\/\/127\.0\.0\.1:\d+)/;
const dataDir = mkdtempSync(join(tmpdir(), 'lixiao-e2e-rerun-'));

test.afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
// Three demo runs, each starting a server and a counter: 3.3 min under a load of 16 on 2 cores.
test.describe.configure({ timeout: 480_000 });

interface Run {
  counterUrl: string;
  serverUrl: string;
  output: string;
}

function parseRun(output: string): Run | null {
  const counterUrl = URL_PATTERN.exec(output)?.[0];
  const serverUrl = SERVER_PATTERN.exec(output)?.[1];
  return counterUrl && serverUrl ? { counterUrl, serverUrl, output } : null;
}

/** One run: online in the header, one pass made, and the counter's outbox empty again. */
async function passOneStudent(page: Page, run: Run): Promise<string> {
  await page.goto(run.counterUrl);
  await expect(page.getByTestId('sync-indicator')).toContainText('在线');
  const { rows } = await callCounter(run.counterUrl, 'students.search', { current: 'notDone', prereq: 'done', limit: 1 });
  const studentNo = rows[0]?.studentNo;
  if (!studentNo) throw new Error('the demo roster has no student pending here');
  // A detail's actions are the steps of the counter's current checkpoint; `pass` null: it can be passed.
  const stepId = (await callCounter(run.counterUrl, 'students.detail', { studentNo })).actions.find((a) => a.pass === null)?.id;
  if (!stepId) throw new Error(`no open step for ${studentNo}`);
  await callCounter(run.counterUrl, 'steps.apply', { studentNo, stepId, action: 'pass', note: '' });
  await expect.poll(async () => (await callCounter(run.counterUrl, 'sync.status', {})).unsent, { timeout: 60_000 }).toBe(0);
  await expect(page.getByTestId('sync-indicator')).toContainText('在线');
  return studentNo;
}

/** Read from the server's own database once the demo has stopped (PGlite is single-process). */
async function serverHasPassOf(studentNo: string): Promise<boolean> {
  const database = await openDatabase({ dataDir: join(dataDir, 'server') });
  try {
    const rows = await database.db.select({ kind: ops.kind }).from(ops).where(eq(ops.studentNo, studentNo));
    return rows.some((r) => r.kind === 'pass');
  } finally {
    await database.close();
  }
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

test('a re-run of the demo is online at once and its passes reach the server, on the old port and on a new one', async ({ page }) => {
  const flags = ['--size', '150'];
  const first = await runDemo(flags, parseRun, { dataDir });
  const passedFirst = await passOneStudent(page, first.ready);
  await first.stop();
  expect(await serverHasPassOf(passedFirst)).toBe(true);

  const second = await runDemo(flags, parseRun, { dataDir });
  expect(second.ready.serverUrl).toBe(first.ready.serverUrl);
  const passedSecond = await passOneStudent(page, second.ready);
  await second.stop();
  expect(await serverHasPassOf(passedSecond)).toBe(true);

  // Something else took the port meanwhile: a new one, and this demo's counter follows it.
  const squatter = await listen(Number(new URL(first.ready.serverUrl).port));
  try {
    const third = await runDemo(flags, parseRun, { dataDir });
    expect(third.ready.serverUrl).not.toBe(first.ready.serverUrl);
    expect(third.ready.output).toContain(`柜台 1 的服务器地址已从 ${first.ready.serverUrl} 改为 ${third.ready.serverUrl}`);
    const passedThird = await passOneStudent(page, third.ready);
    await third.stop();
    expect(await serverHasPassOf(passedThird)).toBe(true);
  } finally {
    squatter.close();
  }
});
