import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { eq } from 'drizzle-orm';
import type { Replica } from '../../src-main/db';
import { createCounterService } from '../../src-main/counter/service';
import { startBrowserHost, type BrowserHost } from '../../src-main/host/browser-host';
import { connectCounter } from '../../src-main/sync/connect';
import { fileTokenStore } from '../../src-main/sync/device-token-store';
import { SyncClient } from '../../src-main/sync/sync-client';
import { ops } from '../../src-server/db/schema';
import { PASSWORD, registrationCode } from '../../src-server/testing/fixtures';
import { CONSOLE_ACCOUNTS, seedConsoleWorld } from '../../src-server/testing/console-fixtures';
import { startTestServer, type TestServer } from '../../src-server/testing/test-server';
import { BACKENDS } from '../../src-server/testing/throwaway-database';
import { rosterRow, rosterWorkbookBytes } from '../../src-server/testing/roster-workbook';
import { expectAccessible } from './a11y';
import { callCounter, shot } from './demo-host';

/**
 * The campus console in Chromium against the real server (in-process, so the test can run a
 * counter beside it), on PGlite and on PostgreSQL: an admin adds an operator and grants a
 * checkpoint, that operator registers a counter and works, a leader's dashboard moves without
 * reloading, the admin disables the operator and the counter's next op is refused; a
 * college-scoped leader sees only that college and can change nothing.
 */

const NEW_OPERATOR = { no: 'N-DORM2', name: '宿管新老师', password: 'dorm-pass-2' };

/** A page of its own context: each account keeps its own session cookie (and axe needs a context per page). */
async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

async function signIn(browser: Browser, url: string, operatorNo: string, password = PASSWORD): Promise<Page> {
  const page = await newPage(browser);
  await page.goto(`${url}/console/`);
  await page.getByLabel('工号').fill(operatorNo);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('button', { name: '退出登录' })).toBeVisible();
  return page;
}

for (const backend of BACKENDS) {
  test.describe(`console on ${backend}`, () => {
    let server: TestServer;
    let batchId: string;
    let dir: string;
    let replica: Replica | undefined;
    let client: SyncClient | undefined;
    let host: BrowserHost | undefined;

    test.beforeAll(async () => {
      server = await startTestServer(backend);
      ({ batchId } = await seedConsoleWorld(server.database.db, server.batches));
      dir = mkdtempSync(join(tmpdir(), 'lixiao-console-'));
    });

    test.afterAll(async () => {
      await client?.stop();
      await host?.close();
      replica?.close();
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('sign-in refuses a wrong password in Chinese and lets an operator change only their own password', async ({ browser }) => {
      const page = await newPage(browser);
      await page.goto(`${server.url}/console/`);
      await expect(page.getByRole('heading', { name: '登录管理控制台' })).toBeVisible();
      await expectAccessible(page, 'console sign-in');
      await page.getByLabel('工号').fill(CONSOLE_ACCOUNTS.admin);
      await page.getByLabel('密码').fill('wrong-password');
      await page.getByRole('button', { name: '登录' }).click();
      await expect(page.getByRole('alert')).toHaveText('工号或密码错误');
      await shot(page, `console-sign-in-${backend}`);
      await page.context().close();

      const operator = await signIn(browser, server.url, CONSOLE_ACCOUNTS.operator);
      await expect(operator.getByRole('navigation', { name: '控制台导航' }).getByRole('link')).toHaveText(['修改密码']);
      await operator.getByLabel('当前密码').fill(PASSWORD);
      await operator.getByLabel('新密码（至少 8 位）').fill('short');
      await operator.getByLabel('再次输入新密码').fill('short');
      await operator.getByRole('button', { name: '修改密码' }).click();
      await expect(operator.getByRole('alert')).toContainText('新密码至少需要 8 位');
      await expectAccessible(operator, 'console change password');
      await shot(operator, `console-password-${backend}`);
      await operator.context().close();
    });

    test('an admin adds and grants an operator who works at a counter; the dashboard moves live; disabled, the counter is refused', async ({ browser }) => {
      test.setTimeout(180_000);
      const leader = await signIn(browser, server.url, CONSOLE_ACCOUNTS.schoolLeader);
      await expect(leader.getByTestId('figure-total')).toHaveText('44');
      await expect(leader.getByTestId('live-status')).toContainText('实时');
      await expectAccessible(leader, 'console dashboard');
      await shot(leader, `console-dashboard-${backend}`);
      const dormPassed = leader.getByTestId('passed-dorm-clearance');
      await expect(dormPassed).toHaveText('0');

      const admin = await signIn(browser, server.url, CONSOLE_ACCOUNTS.admin);
      await admin.getByRole('link', { name: '人员与授权' }).click();
      await expect(admin.getByTestId('operator-table')).toContainText('T-DORM');
      await expectAccessible(admin, 'console operators');
      const form = admin.getByRole('form', { name: '添加操作员' });
      await form.getByLabel('工号').fill(NEW_OPERATOR.no);
      await form.getByLabel('姓名').fill(NEW_OPERATOR.name);
      await form.getByLabel('初始密码（至少 8 位）').fill(NEW_OPERATOR.password);
      await form.getByRole('button', { name: '添加' }).click();
      await expect(admin.getByRole('status')).toHaveText(`已添加操作员 ${NEW_OPERATOR.no}`);
      const row = admin.locator(`tr[data-operator="${NEW_OPERATOR.no}"]`);
      await expect(row).toContainText('未授权');
      await row.getByRole('button', { name: `授权 ${NEW_OPERATOR.no}` }).click();
      const grants = admin.getByRole('group', { name: `${NEW_OPERATOR.name} 的授权` });
      await grants.getByRole('combobox', { name: '离校点' }).selectOption({ label: '宿管中心离校点' });
      await grants.getByRole('button', { name: '授予' }).click();
      await expect(admin.getByRole('status')).toHaveText(`已授予 ${NEW_OPERATOR.no}「宿管中心离校点」`);
      await expect(row).toContainText('宿管中心离校点');
      await grants.getByRole('combobox', { name: '离校点' }).selectOption({ label: '学院离校点' });
      await expect(grants.getByRole('group', { name: '学院（学院离校点可选；不选为全部学院）' })).toBeVisible();
      await expectAccessible(admin, 'console operator grants');
      await shot(admin, `console-operators-${backend}`);

      // The new operator registers a counter and passes 宿管 for one student.
      replica = await connectCounter({ serverUrl: server.url, operatorNo: NEW_OPERATOR.no, password: NEW_OPERATOR.password, counterName: '宿管柜台', batchId, path: join(dir, 'dorm.db'), registrationCode: await registrationCode(server.database.db) });
      client = new SyncClient(replica, { serverUrl: server.url, token: fileTokenStore.read(replica.path)! });
      host = await startBrowserHost({ service: createCounterService(replica, { sync: client }), rendererDir: join(import.meta.dirname, '../../out/renderer') });
      client.start();
      await callCounter(host.url, 'steps.apply', { studentNo: '2023100001', stepId: 'dorm-clearance', action: 'pass', note: '' });
      await client.sync();
      // No reload: the leader's page hears the seq move and re-reads.
      await expect(dormPassed).toHaveText('1');

      // The confirmation names what disabling does; the admin accepts it.
      admin.once('dialog', (dialog) => {
        expect(dialog.message()).toContain('其未同步的操作将被拒绝并保留记录');
        void dialog.accept();
      });
      await row.getByRole('button', { name: `停用 ${NEW_OPERATOR.no}` }).click();
      await expect(admin.getByRole('status')).toContainText(`已停用 ${NEW_OPERATOR.no}`);
      await expect(row).toContainText('已停用');

      await callCounter(host.url, 'steps.apply', { studentNo: '2023100002', stepId: 'dorm-clearance', action: 'pass', note: '' });
      await client.sync();
      const refused = await callCounter(host.url, 'sync.conflicts', {});
      expect(refused.rejected.map((r) => r.reason)).toContain(`操作员 ${NEW_OPERATOR.no} 已被管理员停用，此操作未生效；请换一位操作员登录后重新办理`);
      const stored = await server.database.db.select().from(ops).where(eq(ops.operatorId, NEW_OPERATOR.no));
      expect(stored.map((o) => o.outcome).sort()).toEqual(['applied', 'rejected']);
      await expect(dormPassed).toHaveText('1');
      await leader.context().close();
      await admin.context().close();
    });

    test('a college leader sees only their college, drills to a class and its unfinished students, and can change nothing', async ({ browser }) => {
      const page = await signIn(browser, server.url, CONSOLE_ACCOUNTS.collegeLeader);
      await expect(page.getByRole('navigation', { name: '控制台导航' }).getByRole('link')).toHaveText(['办理进度', '修改密码']);
      const groups = page.getByTestId('group-table');
      await expect(groups.locator('tbody tr')).toHaveCount(1);
      await expect(groups).toContainText('计算机学院');
      await expect(page.getByTestId('live-status')).toContainText('只读查询');
      await page.getByRole('button', { name: '查看 计算机学院' }).click();
      await expect(page.getByRole('heading', { name: '各班级' })).toBeVisible();
      await expectAccessible(page, 'console dashboard classes');
      await page.getByRole('button', { name: '查看 计算机学院2班' }).click();
      const unfinished = page.getByTestId('unfinished-table');
      await expect(unfinished).toContainText('计算机学院离校点：归还教学仪器');
      await expectAccessible(page, 'console dashboard unfinished');
      await shot(page, `console-unfinished-${backend}`);

      const forged = await page.evaluate(async () => {
        const res = await fetch('/console/api/operators.setDisabled', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ operatorNo: 'T-DORM', disabled: true }),
        });
        return { status: res.status, body: (await res.json()) as { error: { message: string } } };
      });
      expect(forged).toEqual({ status: 403, body: { error: { code: 'forbidden', message: '您的账号没有此项权限' } } });
      const outside = await page.evaluate(async (id) => {
        const res = await fetch('/console/api/progress.get', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batchId: id, college: '机电工程学院' }) });
        return res.status;
      }, batchId);
      expect(outside).toBe(403);
      await page.context().close();
    });

    test('an admin uploads a roster with mistakes, reads the per-row report, fixes it and imports it while counters sync', async ({ browser }) => {
      const def = (await server.batches.get(server.database.db, batchId))!.def;
      const leader = await signIn(browser, server.url, CONSOLE_ACCOUNTS.schoolLeader);
      const total = Number(await leader.getByTestId('figure-total').textContent());
      const admin = await signIn(browser, server.url, CONSOLE_ACCOUNTS.admin);
      await admin.getByRole('link', { name: '名单导入' }).click();
      const numberCell = rosterRow(def, '2023300001', '计算机学院', '计算机学院1班', 301);
      numberCell[0] = 2023300001;
      const badId = rosterRow(def, '2023300002', '计算机学院', '计算机学院1班', 302);
      badId[7] = '430102199901010071';
      const good = rosterRow(def, '2023300003', '机电工程学院', '机电工程学院1班', 303);
      const wrongPath = join(dir, '花名册-有误.xlsx');
      writeFileSync(wrongPath, await rosterWorkbookBytes(def, [numberCell, badId, good]));
      await admin.getByLabel('花名册文件（.xlsx）').setInputFiles(wrongPath);
      const problems = admin.getByTestId('row-problems');
      await expect(problems.getByRole('listitem')).toHaveCount(2);
      await expect(problems).toContainText('第 2 行：学号 2023300001 是数字格式的单元格');
      await expect(problems).toContainText('第 3 行：身份证号「**************0071」校验位不正确');
      await expect(admin.getByRole('button', { name: '导入', exact: true })).toBeDisabled();
      await expectAccessible(admin, 'console roster preview');
      await shot(admin, `console-roster-${backend}`);

      numberCell[0] = '2023300001';
      badId[7] = rosterRow(def, '2023300002', '计算机学院', '计算机学院1班', 302)[7]!;
      const fixedPath = join(dir, '花名册.xlsx');
      writeFileSync(fixedPath, await rosterWorkbookBytes(def, [numberCell, badId, good]));
      await admin.getByLabel('花名册文件（.xlsx）').setInputFiles(fixedPath);
      await expect(admin.getByTestId('roster-preview')).toContainText('可导入 3 行：新增 3 名，更新 0 名');
      await expect(admin.getByTestId('roster-preview')).toContainText('没有发现错误');
      await admin.getByRole('button', { name: '导入', exact: true }).click();
      await expect(admin.getByTestId('roster-applied')).toHaveText('已导入 3 名学生，各柜台下次同步后生效');
      await expect(leader.getByTestId('figure-total')).toHaveText(String(total + 3));
      if (client) {
        // The counter's only operator was disabled above, which took the whole roster off it (issue 13).
        await client.sync();
        await expect(callCounter(host!.url, 'students.detail', { studentNo: '2023300003' })).rejects.toThrow('未找到学生');
        const enabled = await admin.evaluate(async (no) => {
          const res = await fetch('/console/api/operators.setDisabled', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operatorNo: no, disabled: false }) });
          return res.status;
        }, NEW_OPERATOR.no);
        expect(enabled).toBe(200);
        // Enabled again, their scope comes back: the counter merges a fresh snapshot with the imported students.
        await client.sync();
        const found = await callCounter(host!.url, 'students.detail', { studentNo: '2023300003' });
        expect(found.student.name).toBe('学生003');
      }
      await leader.context().close();
      await admin.context().close();
    });
  });
}
