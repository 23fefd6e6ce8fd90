import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import QRCode from 'qrcode';
import { createCounterService } from '../../src-main/counter/service';
import { connectCounter } from '../../src-main/sync/connect';
import { studentText as t } from '../../src-shared/i18n/student.zh-CN';
import { slipCodeOf } from '../../src-server/student-slip/slip-pdf';
import { PASSWORD, registrationCode } from '../../src-server/testing/fixtures';
import { registerTestCounter, seedStudentWorld, type TestStudent } from '../../src-server/testing/student-fixtures';
import { startTestServer, type TestServer } from '../../src-server/testing/test-server';
import { BACKENDS } from '../../src-server/testing/throwaway-database';
import { expectAccessible } from './a11y';
import { shot } from './demo-host';

/**
 * The student page in Chromium at a phone's size against the real server, on PGlite and on
 * PostgreSQL: a student signs in with the last 6 of their 身份证号, sees the certificate desk
 * blocked and where to go, a counter passes the steps (pushed as a counter's sync would) and the
 * page follows by itself, the student downloads the 离校单 PDF, whose QR (read back from the
 * rendered page) carries the payload a real counter's 离校单 check accepts; wrong last 6 are
 * refused until the 学号 waits.
 */

const PHONE = { width: 390, height: 844 };

/** The dark modules of the QR on the PDF page, read from a greyscale rendering at 144 dpi. */
function qrModulesOf(pdfPath: string, dir: string, size: number): boolean[] {
  execFileSync('pdftoppm', ['-r', '144', '-gray', '-singlefile', pdfPath, join(dir, 'slip')]);
  const pgm = readFileSync(join(dir, 'slip.pgm'));
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.toString('latin1', 0, 40))!;
  const width = Number(header[1]);
  const pixels = pgm.subarray(header[0].length);
  // Where slip-pdf.ts draws it: 96 pt wide, right margin 42 pt, top 36 pt, one quiet module each side.
  const cell = 96 / (size + 2);
  const left = 595.28 - 42 - 96;
  const dark: boolean[] = [];
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const x = Math.round((left + (c + 1.5) * cell) * 2);
      const y = Math.round((36 + (r + 1.5) * cell) * 2);
      dark.push(pixels[y * width + x]! < 128);
    }
  }
  return dark;
}

for (const backend of BACKENDS) {
  test.describe(`student page on ${backend}`, () => {
    let server: TestServer;
    let batchId: string;
    let a: TestStudent;
    let c: TestStudent;
    let dir: string;

    test.beforeAll(async () => {
      server = await startTestServer(backend);
      ({ batchId, a, c } = await seedStudentWorld(server.database.db, server.batches));
      dir = mkdtempSync(join(tmpdir(), 'lixiao-student-'));
    });
    test.afterAll(async () => {
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('a student follows their clearance live to the end and downloads a 离校单 a counter verifies', async ({ browser }) => {
      test.setTimeout(120_000);
      const context = await browser.newContext({ viewport: PHONE, acceptDownloads: true });
      const page = await context.newPage();
      await page.goto(`${server.url}/student/`);
      await expectAccessible(page, 'student sign-in');
      await shot(page, `student-sign-in-phone-${backend}`);
      await page.getByLabel(t.signIn.studentNo).fill(a.studentNo);
      await page.getByLabel(t.signIn.secret).fill(a.last6);
      await page.getByRole('button', { name: t.signIn.submit }).click();

      await expect(page.getByTestId('overall')).toHaveText(t.overall.incomplete(3));
      const degree = page.getByTestId('step-degree-cert');
      await expect(degree).toContainText(t.step.waitsFor);
      await expect(degree).toContainText('宿管中心离校点（各宿舍区宿管值班室）：清理宿舍物品');
      await expect(degree).toContainText('图书馆离校点（图书馆一楼总服务台）：归还图书');
      await expect(page.getByTestId('step-dorm-clearance')).toContainText(t.step.goTo('宿管中心离校点（各宿舍区宿管值班室）'));
      const library = page.getByTestId('checkpoint-library');
      await expect(library).toContainText(t.checkpoint.noHours);
      await expect(library).toContainText(t.checkpoint.noPhone);
      await expect(page.getByTestId('checkpoint-finance')).toContainText(t.checkpoint.noLocation);
      await expect(page.getByText('证件领取安排')).toBeVisible();
      await expect(page.getByRole('status')).toContainText(t.header.live);
      await expectAccessible(page, 'student status');
      await shot(page, `student-status-phone-${backend}`);
      await page.screenshot({ path: `test-results/student-status-phone-full-${backend}.png`, fullPage: true });
      await page.setViewportSize({ width: 1366, height: 768 });
      await shot(page, `student-status-1366-${backend}`);
      // 200 % zoom on the phone: half the CSS pixels across. Everything reflows, nothing scrolls sideways (WCAG 1.4.10).
      await page.setViewportSize({ width: PHONE.width / 2, height: PHONE.height / 2 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
      await shot(page, `student-status-zoom-200-${backend}`);
      await page.setViewportSize(PHONE);

      // The page is never reloaded from here on: it follows the server's events.
      const counter = await registerTestCounter(server.url, batchId, await registrationCode(server.database.db));
      await counter.send('reject', a.studentNo, 'return-books', '欠书2本');
      await expect(page.getByTestId('step-return-books')).toContainText(t.step.rejectedReason('欠书2本'));
      await counter.send('pass', a.studentNo, 'dorm-clearance');
      await counter.send('pass', a.studentNo, 'return-books', '', 1);
      await expect(page.getByTestId('step-dorm-clearance')).toContainText('已通过');
      await expect(degree).toContainText(t.step.goTo('计算机学院领取证件（学院办公楼 101 室）'));
      await counter.send('pass', a.studentNo, 'degree-cert');
      await expect(page.getByTestId('overall')).toHaveText(t.overall.complete);
      await expectAccessible(page, 'student complete');
      await shot(page, `student-complete-phone-${backend}`);

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: t.slip.download }).click()]);
      const pdfPath = join(dir, `slip-${backend}.pdf`);
      await download.saveAs(pdfPath);
      expect(execFileSync('pdfinfo', [pdfPath]).toString()).toMatch(/Pages:\s+1\b[\s\S]*A4/);
      const batch = (await server.batches.get(server.database.db, batchId))!;
      const { payload, code } = slipCodeOf(batch.idHashKey, batchId, a.studentNo);
      const text = execFileSync('pdftotext', ['-layout', pdfPath, '-']).toString();
      for (const expected of [a.name, a.studentNo, t.pdf.code(code), t.pdf.complete]) expect(text).toContain(expected);
      const expectedQr = QRCode.create(payload, { errorCorrectionLevel: 'M' }).modules;
      const drawn = qrModulesOf(pdfPath, dir, expectedQr.size);
      expect(drawn).toEqual(Array.from(expectedQr.data, (bit) => bit === 1));
      execFileSync('cp', [pdfPath, `test-results/student-slip-${backend}.pdf`]);

      // A real counter's replica of the same server checks the payload read from the QR.
      const replica = await connectCounter({ serverUrl: server.url, operatorNo: 'T-ALL', password: PASSWORD, counterName: '核验柜台', batchId, path: join(dir, `verify-${backend}.db`), registrationCode: await registrationCode(server.database.db) });
      try {
        const verdict = createCounterService(replica).call('reports.verifySlip', { text: payload });
        expect(verdict).toMatchObject({ verdict: 'valid', studentNo: a.studentNo, completeNow: true });
      } finally {
        replica.close();
      }
      await context.close();
    });

    test('a wrong last 6 is refused, and repeated failures make that 学号 wait', async ({ browser }) => {
      const context = await browser.newContext({ viewport: PHONE });
      const page = await context.newPage();
      await page.goto(`${server.url}/student/`);
      await page.getByLabel(t.signIn.studentNo).fill(c.studentNo);
      const alert = page.getByRole('alert');
      const statuses: number[] = [];
      // Wrong last 6 until the server makes the 学号 wait (the fourth failure at one address starts the waits).
      while (!statuses.includes(429) && statuses.length < 20) {
        await page.getByLabel(t.signIn.secret).fill('000000');
        const [response] = await Promise.all([page.waitForResponse(/session\.signIn/), page.getByRole('button', { name: t.signIn.submit }).click()]);
        statuses.push(response.status());
        await expect(alert).toHaveText(
          response.status() === 401 ? '学号或密码错误（尚未设置密码的同学请输入身份证号后6位）' : /^登录失败次数较多，请在 \d+ 秒后再试$/,
        );
      }
      expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
      expect(statuses.at(-1)).toBe(429);
      await expectAccessible(page, 'student sign-in refused');
      await shot(page, `student-sign-in-wait-phone-${backend}`);
      await context.close();
    });
  });
}
