import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StudentDetail } from '../../src-shared/contract/counter-api';
import config from '../../playwright.config';
import { makeQrVideo } from '../fixtures/camera-video';
import { expectAccessible } from './a11y';
import { startDemoHost, type DemoHost } from './demo-host';

const STEP = 'return-student-card';

let host: DemoHost;
let browser: Browser;
let videoDir: string;
let student: StudentDetail;

/**
 * A browser of its own: Chromium's fake camera is chosen at launch, playing a .y4m of a QR code
 * that carries a real 学号 of the demo back end.
 */
test.beforeAll(async () => {
  host = await startDemoHost(300);
  const session = await host.call('session.get', {});
  expect(session.checkpointId).toBe('student-affairs');
  const { rows } = await host.call('students.search', { current: 'notDone', limit: 100 });
  for (const row of rows) {
    const detail = await host.call('students.detail', { studentNo: row.studentNo });
    if (detail.inScope && detail.actions.find((a) => a.id === STEP)?.pass === null) {
      student = detail;
      break;
    }
  }
  expect(student).toBeDefined();
  videoDir = mkdtempSync(join(tmpdir(), 'lixiao-camera-'));
  const video = await makeQrVideo(videoDir, student.student.studentNo);
  const launch = config.use?.launchOptions ?? {};
  browser = await chromium.launch({
    ...launch,
    args: [...(launch.args ?? []), '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  });
});

test.afterAll(async () => {
  await browser?.close();
  await host?.stop();
  if (videoDir) rmSync(videoDir, { recursive: true, force: true });
});

/** A page in a context of its own (axe-core refuses pages of the browser's implicit context). */
async function openCounter(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  await page.goto(host.url);
  await expect(page.locator('.operator-name')).not.toBeEmpty();
  return page;
}

/** Video tracks still delivering frames, over every <video> on the page: one camera, one stream. */
function liveTracks(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      [...document.querySelectorAll('video')]
        .flatMap((v) => (v.srcObject instanceof MediaStream ? v.srcObject.getVideoTracks() : []))
        .filter((t) => t.readyState === 'live').length,
  );
}

test('a QR code held up to the webcam opens the student; reopening the panel quickly leaves one live stream', async () => {
  const page = await openCounter();
  const { studentNo, name } = student.student;

  await page.getByRole('button', { name: /^摄像头/ }).click();
  const panel = page.getByTestId('camera-panel');
  await expect(panel).toBeVisible();
  await expect(page.locator('.info-no')).toHaveText(studentNo, { timeout: 30_000 });
  await expect(page.getByTestId('student-name')).toHaveText(name);
  await expect(panel.getByTestId('camera-status')).toHaveText(`已识别：${studentNo}`);
  await expect(panel.getByRole('combobox', { name: '选择摄像头' }).locator('option')).not.toHaveCount(0);
  await expect.poll(() => liveTracks(page)).toBe(1);
  await page.screenshot({ path: 'test-results/camera-scanned-1366.png' });
  await expectAccessible(page, 'camera dock');

  // Close, open, close, open without waiting: every stop finishes before the next start.
  for (let i = 0; i < 4; i++) await page.keyboard.press('F7');
  await expect(panel.getByTestId('camera-status')).toHaveText(/将学生证二维码或条形码对准方框|已识别/, { timeout: 30_000 });
  await expect.poll(() => liveTracks(page), { timeout: 15_000 }).toBe(1);
  await page.waitForTimeout(2000);
  expect(await liveTracks(page)).toBe(1);
  expect(await page.locator('video').count()).toBe(1);

  await page.keyboard.press('F7');
  await expect(panel).toHaveCount(0);
  await expect.poll(() => liveTracks(page)).toBe(0);
  await page.context().close();
});

test('in 扫码即办 the camera passes the student once, however long the card stays in view', async () => {
  const page = await openCounter();
  const { studentNo, name } = student.student;

  await page.keyboard.press('F3');
  await page.getByRole('dialog').getByRole('option', { name: /归还学生证/ }).click();
  await expect(page.getByTestId('quick-step')).toHaveText('归还学生证');

  await page.keyboard.press('F7');
  const card = page.getByTestId('quick-result');
  await expect(card).toHaveAttribute('data-kind', 'passed', { timeout: 30_000 });
  await expect(card.getByTestId('quick-name')).toHaveText(name);
  await expect.poll(async () => (await host.call('students.detail', { studentNo })).actions.find((a) => a.id === STEP)?.status).toBe('passed');
  await page.screenshot({ path: 'test-results/quick-camera-1366.png' });

  // The card stays in front of the camera, decoded ten times a second: still one result.
  await page.waitForTimeout(3000);
  await expect(page.getByTestId('quick-recent').locator('li')).toHaveCount(1);
  await expect(page.getByTestId('quick-count')).toHaveText('1');
  await page.context().close();
});

test('without camera permission the panel says so in Chinese and offers 重试', async () => {
  // Devices exist, but nobody answers the permission prompt: Chromium refuses, as a denied system prompt would.
  const launch = config.use?.launchOptions ?? {};
  const refusing = await chromium.launch({ ...launch, args: [...(launch.args ?? []), '--use-fake-device-for-media-stream'] });
  try {
    const page = await refusing.newPage({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    await page.goto(host.url);
    await expect(page.locator('.operator-name')).not.toBeEmpty();
    await page.getByRole('button', { name: /^摄像头/ }).click();
    const panel = page.getByTestId('camera-panel');
    await expect(panel.getByTestId('camera-status')).toHaveText('没有摄像头使用权限：请在系统设置中允许本程序使用摄像头，然后点“重试”');
    await expect(panel.getByRole('button', { name: '重试' })).toBeVisible();
    expect(await liveTracks(page)).toBe(0);
    await page.screenshot({ path: 'test-results/camera-denied-1366.png' });
  } finally {
    await refusing.close();
  }
});

test('柜台设置: the camera preview reads into 试扫 without opening the student, and the chosen camera is saved for the desk', async () => {
  const page = await openCounter();
  const { studentNo } = student.student;
  await page.keyboard.press('F10');
  const dialog = page.getByRole('dialog', { name: '柜台设置' });
  await dialog.getByRole('button', { name: '预览' }).click();
  await expect(dialog.getByTestId('camera-preview')).toBeVisible();
  await expect(dialog.getByTestId('scan-test-result')).toHaveText(`读到：${studentNo}`, { timeout: 30_000 });
  await expect(page.locator('.info-no')).toHaveCount(0);
  await expect.poll(() => liveTracks(page)).toBe(1);
  await page.screenshot({ path: 'test-results/desk-settings-camera-1366.png' });

  const choice = dialog.getByRole('combobox', { name: '摄像头', exact: true });
  const cameraId = await choice.locator('option').nth(1).getAttribute('value');
  expect(cameraId).toBeTruthy();
  await choice.selectOption(cameraId!);
  await dialog.getByRole('button', { name: /保存设置/ }).click();
  await expect.poll(async () => (await host.call('desk.settings', {})).settings.camera.deviceId).toBe(cameraId);

  await dialog.getByRole('button', { name: '停止预览' }).click();
  await expect.poll(() => liveTracks(page)).toBe(0);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  // The dock opens the desk's camera.
  await page.keyboard.press('F7');
  await expect(page.getByTestId('camera-panel').getByRole('combobox', { name: '选择摄像头' })).toHaveValue(cameraId!);
  await page.context().close();
});
