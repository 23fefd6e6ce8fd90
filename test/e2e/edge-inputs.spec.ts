import { expect, test, type Page } from '@playwright/test';
import { setScannerTiming, startDemoHost, type DemoHost } from './demo-host';

/** Issue 3's bad-input and edge cases that live at the screen: each one its own test. */
let host: DemoHost;

test.beforeAll(async () => {
  // 2,000 students: the roster then holds a handful of names with characters outside the BMP.
  host = await startDemoHost(2000);
});

test.afterAll(async () => {
  await host?.stop();
});

// Wider than a USB reader needs: Playwright's keys are CDP round trips on a loaded machine
// (see counter.spec.ts); the default thresholds are covered by the wedge detector's unit tests.
const SCANNER = { maxGapMs: 1500, maxAverageGapMs: 150, idleCommitMs: 0 };

async function openCounter(page: Page, checkpointId: string): Promise<void> {
  await setScannerTiming(host, SCANNER);
  await page.goto(host.url);
  await expect(page.locator('.operator-name')).not.toBeEmpty();
  await page.getByLabel('当前离校点').selectOption(checkpointId);
  await expect.poll(async () => (await host.call('session.get', {})).checkpointId).toBe(checkpointId);
}

async function wedge(page: Page, code: string): Promise<void> {
  await page.keyboard.type(code, { delay: 5 });
  await page.keyboard.press('Enter');
}

/**
 * Keys as a USB reader sends them, dispatched in the page with the given gaps between them. The
 * page spins to each key's time instead of waiting on a timer or a CDP round trip, either of
 * which a loaded machine stretches past the default 100 ms gap limit.
 */
async function readerKeys(page: Page, keys: string[], gapsMs: number[]): Promise<void> {
  await page.evaluate(
    ({ keys, gapsMs }) => {
      const codeOf = (key: string) => (key === 'Enter' ? 'Enter' : /\d/.test(key) ? `Digit${key}` : `Key${key.toUpperCase()}`);
      let due = performance.now();
      keys.forEach((key, i) => {
        while (performance.now() < due);
        const target = document.activeElement ?? document.body;
        for (const type of ['keydown', 'keyup']) target.dispatchEvent(new KeyboardEvent(type, { key, code: codeOf(key), bubbles: true, cancelable: true }));
        due = performance.now() + gapsMs[i % gapsMs.length]!;
      });
    },
    { keys, gapsMs },
  );
}

test('a USB reader at the default scanner thresholds, 5–20 ms between keys, opens the student', async ({ page }) => {
  const [first, second] = (await host.call('students.search', { limit: 2, offset: 90 })).rows;
  if (!first || !second) throw new Error('demo roster too small');
  // No scanner settings stored: the detector runs at DEFAULT_WEDGE_OPTIONS, as on a fresh counter.
  await page.goto(host.url);
  await expect(page.locator('.operator-name')).not.toBeEmpty();
  expect(await page.evaluate(() => localStorage.getItem('lixiao.scanner'))).toBeNull();
  const readerGaps = [5, 12, 20, 8, 15, 6, 18, 10];
  await readerKeys(page, [...first.studentNo, 'Enter'], readerGaps);
  await expect(page.locator('.info-no')).toHaveText(first.studentNo);
  await readerKeys(page, [...second.studentNo, 'Enter'], [...readerGaps].reverse());
  await expect(page.locator('.info-no')).toHaveText(second.studentNo);
});

async function allStudents() {
  const rows = [];
  for (let offset = 0; ; offset += 500) {
    const page = await host.call('students.search', { limit: 500, offset });
    rows.push(...page.rows);
    if (page.rows.length < 500) return rows;
  }
}

test('a name with characters outside the BMP is found by name and shown whole', async ({ page }) => {
  const rare = (await allStudents()).find((s) => /[\u{10000}-\u{10FFFF}]/u.test(s.name));
  if (!rare) throw new Error('the 2,000-student demo roster has no name outside the BMP');
  await openCounter(page, 'student-affairs');
  await page.getByLabel('学生姓名').fill(rare.name);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('student-name')).toHaveText(rare.name);
  await expect(page.locator('.info-no')).toHaveText(rare.studentNo);
  await page.screenshot({ path: 'test-results/edge-non-bmp-name.png' });
});

test('a scan while a dialog is open does not swap the student behind it', async ({ page }) => {
  const [first, second] = (await host.call('students.search', { limit: 2, offset: 40 })).rows;
  if (!first || !second) throw new Error('demo roster too small');
  await openCounter(page, 'dorm');
  await page.getByLabel('学生学号').click();
  await wedge(page, first.studentNo);
  await expect(page.locator('.info-no')).toHaveText(first.studentNo);

  await page.getByRole('button', { name: '按宿舍批量操作' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await wedge(page, second.studentNo);
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.locator('.info-no')).toHaveText(first.studentNo);
});

test('a student of another college at a college checkpoint: shown, but nothing can be done', async ({ page }) => {
  const session = await host.call('session.get', {});
  const grant = session.checkpoints.find((c) => c.id === 'college');
  if (!grant || grant.colleges === 'all') throw new Error('the demo operator should hold the college checkpoint for one college');
  const outsider = (await host.call('students.search', { limit: 500 })).rows.find((s) => !grant.colleges.includes(s.college) && !s.isPrevious);
  if (!outsider) throw new Error('no student of another college in the demo roster');

  await openCounter(page, 'college');
  await page.getByLabel('学生学号').click();
  await wedge(page, outsider.studentNo);
  await expect(page.locator('.info-no')).toHaveText(outsider.studentNo);
  await expect(page.getByText('该学生不属于您负责的学院，不能办理')).toBeVisible();
  const detail = await host.call('students.detail', { studentNo: outsider.studentNo });
  expect(detail.inScope).toBe(false);
  expect(detail.actions.length).toBeGreaterThan(0);
  // Every step of the checkpoint is listed with its three buttons and its checkbox, each one disabled.
  const buttons = page.locator('.ops-card .op-buttons button');
  await expect(buttons).toHaveCount(detail.actions.length * 3);
  for (const button of await buttons.all()) await expect(button).toBeDisabled();
  const boxes = page.locator('.ops-card .op-check input');
  await expect(boxes).toHaveCount(detail.actions.length);
  for (const box of await boxes.all()) await expect(box).toBeDisabled();
});

test('a 备注 of 10,000 characters: the field stops at 500, and the API refuses more in Chinese, changing nothing', async ({ page }) => {
  const target = (await host.call('students.search', { current: 'notDone', limit: 50 })).rows.find((s) => !s.isPrevious);
  if (!target) throw new Error('no pending student');
  const before = await host.call('students.detail', { studentNo: target.studentNo });
  const beforeStep = before.record.flatMap((c) => c.steps).find((s) => s.id === 'dorm-clearance');

  await expect(
    host.call('steps.apply', { studentNo: target.studentNo, stepId: 'dorm-clearance', action: 'pass', note: '备'.repeat(10_000) }),
  ).rejects.toThrow(/bad_input .*备注不能超过 500 个字/);
  const after = await host.call('students.detail', { studentNo: target.studentNo });
  expect(after.record.flatMap((c) => c.steps).find((s) => s.id === 'dorm-clearance')).toEqual(beforeStep);

  await openCounter(page, 'dorm');
  await page.getByLabel('学生学号').click();
  await wedge(page, target.studentNo);
  const note = page.locator('.ops-card li[data-step="dorm-clearance"] .op-note');
  await note.fill('备'.repeat(10_000));
  expect((await note.inputValue()).length).toBe(500);
});
