import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { parseRescueFile } from '../../src-shared/contract/rescue';
import { damagePage, replicaWithUnsentOps } from '../integration/replica-files';
import { expectAccessible } from './a11y';
import { runCounterScript, shot, type RunningDemo } from './demo-host';

/**
 * A counter started (`npm run counter`) on a replica a failing disk damaged: the window shows
 * what happened, where the two unsent ops went, and what to do; nothing else runs.
 */

let dir: string;
let db: string;
let counter: RunningDemo<string>;

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lixiao-damaged-'));
  db = join(dir, 'counter.db');
  replicaWithUnsentOps(db, 'counter-damaged').close();
  damagePage(db, 'students_name');
  counter = await runCounterScript(db);
});

test.afterAll(async () => {
  await counter?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a damaged replica: the message, the rescue file and the next steps, accessible', async ({ page }) => {
  await page.goto(counter.ready);
  const screen = page.getByTestId('damaged-replica');
  await expect(screen.getByRole('heading', { level: 1 })).toHaveText('数据库文件已损坏，本柜台已停止办理');
  await expect(screen.getByRole('alert')).toContainText(`本柜台的数据库文件 ${db} 未通过启动时的完整性检查`);
  const rescue = screen.getByTestId('damaged-rescue');
  await expect(rescue).toContainText('能读出的 2 条未上传的操作已保存到救援文件');
  const path = /救援文件：(\S+\.rescue\.json)/.exec((await rescue.textContent()) ?? '')?.[1];
  expect(parseRescueFile(readFileSync(path!, 'utf8')).ops).toHaveLength(2);
  await expect(screen.getByRole('listitem')).toHaveCount(4);
  await expect(screen.getByRole('listitem').first()).toContainText('npm run admin -- import-rescue');
  await shot(page, 'damaged-replica-1366');
  await expectAccessible(page, 'damaged replica');
});
