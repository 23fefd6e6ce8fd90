import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { Replica } from '../../src-main/db';
import { createCounterService } from '../../src-main/counter/service';
import { startBrowserHost, type BrowserHost } from '../../src-main/host/browser-host';
import { connectCounter } from '../../src-main/sync/connect';
import { fileTokenStore } from '../../src-main/sync/device-token-store';
import { SyncClient } from '../../src-main/sync/sync-client';
import { changeStandingOf } from '../../src-server/admin/roster-withdrawal';
import { storeRoster } from '../../src-server/admin/roster-store';
import { PASSWORD, registrationCode, seedSmallWorld, student } from '../../src-server/testing/fixtures';
import { startTestServer, type TestServer } from '../../src-server/testing/test-server';
import { shot } from './demo-host';

/**
 * A 计算机学院 counter (T-CS) in Chromium after the server moved one of its students to
 * 机电工程学院 and withdrew another: looked up by 学号, each card says where the student went
 * and offers nothing to do. The server runs in-process on PGlite, so the test can change the
 * roster while the counter is running.
 */

const [S1, S2] = ['2023000001', '2023000002'];
let server: TestServer;
let replica: Replica;
let client: SyncClient;
let host: BrowserHost;
let dir: string;

test.beforeAll(async () => {
  server = await startTestServer('pglite');
  const { batchId } = await seedSmallWorld(server.database.db, server.batches);
  dir = mkdtempSync(join(tmpdir(), 'lixiao-roster-change-'));
  replica = await connectCounter({ serverUrl: server.url, operatorNo: 'T-CS', password: PASSWORD, counterName: '计算机学院柜台', batchId, path: join(dir, 'cs.db'), registrationCode: await registrationCode(server.database.db) });
  client = new SyncClient(replica, { serverUrl: server.url, token: fileTokenStore.read(replica.path)! });
  host = await startBrowserHost({ service: createCounterService(replica, { sync: client }), rendererDir: join(import.meta.dirname, '../../out/renderer') });
  client.start();

  await storeRoster(server.database.db, server.batches, batchId, [
    student(S1, '计算机学院', { flags: { 党团员: true } }),
    student(S2, '机电工程学院'),
    student('2023000003', '机电工程学院'),
    student('2023000004', '机电工程学院', { isPrevious: true }),
  ]);
  await changeStandingOf(server.database.db, batchId, [S1], { kind: 'withdraw', reason: '延期毕业' }, '测试管理员');
  await client.sync();
});

test.afterAll(async () => {
  await client?.stop();
  await host?.close();
  replica?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function lookUp(page: Page, studentNo: string) {
  const field = page.getByLabel('学生学号');
  await field.fill(studentNo);
  await field.press('Enter');
  await expect(page.locator('.info-no')).toHaveText(studentNo);
}

test('a student who moved out or left the batch: the card says where, and offers nothing to do', async ({ page }) => {
  await page.goto(host.url);
  await expect(page.getByTestId('sync-indicator')).toContainText('在线');

  await lookUp(page, S2);
  const notice = page.getByTestId('departed-notice');
  await expect(notice).toContainText('已转至 机电工程学院');
  await expect(notice).toContainText('请到其所在学院的柜台办理');
  await expect(page.getByTestId('flash')).toHaveAttribute('data-tone', 'blocked');
  await expect(page.locator('.ops-card')).toHaveCount(0);
  await expect(page.getByRole('button', { name: '按班级批量操作' })).toHaveCount(0);
  await shot(page, 'roster-change-moved');

  await lookUp(page, S1);
  await expect(notice).toContainText('已退出本批次（延期毕业）');
  await expect(page.locator('.ops-card')).toHaveCount(0);
  await shot(page, 'roster-change-withdrawn');

  // Neither counts on this counter any more.
  const stats = await createCounterService(replica).call('stats.checkpoint', {});
  expect(stats.school.total).toBe(0);
});
