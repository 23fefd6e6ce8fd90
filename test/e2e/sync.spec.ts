import { expect, test } from '@playwright/test';
import { callCounter as call, runDemo, type RunningDemo } from './demo-host';

/** `npm run demo -- --counters 2`: the server and two counters; what one does, the other shows. */

const URLS = /http:\/\/127\.0\.0\.1:\d+\/\?token=[^\s"'<>]+/g;
let demo: RunningDemo<string[]>;
let urls: string[] = [];

test.beforeAll(async () => {
  demo = await runDemo(['--counters', '2', '--size', '200'], (output) => {
    const found = output.match(URLS) ?? [];
    return found.length >= 2 ? found : null;
  });
  urls = demo.ready;
});

test.afterAll(async () => {
  await demo?.stop();
});

test('both counters show 在线 in the header, and a pass on one reaches the other', async ({ browser }) => {
  test.setTimeout(240_000);
  const [urlA, urlB] = urls as [string, string];
  const pageA = await browser.newPage();
  const pageB = await browser.newPage();
  await pageA.goto(urlA);
  await pageB.goto(urlB);
  for (const page of [pageA, pageB]) {
    const indicator = page.getByTestId('sync-indicator');
    await expect(indicator).toContainText('在线');
    await expect(indicator).toContainText('未同步 0 条');
    await expect(indicator).toContainText(/上次同步 \d\d:\d\d/);
  }

  const { rows } = await call(urlA, 'students.search', { current: 'notDone', limit: 50 });
  let target: { studentNo: string; stepId: string } | null = null;
  for (const row of rows) {
    const detail = await call(urlA, 'students.detail', { studentNo: row.studentNo });
    const step = detail.actions.find((a) => a.pass === null);
    if (step) {
      target = { studentNo: row.studentNo, stepId: step.id };
      break;
    }
  }
  expect(target).not.toBeNull();
  await call(urlA, 'steps.apply', { ...target!, action: 'pass', note: '' });
  await expect
    .poll(async () => (await call(urlB, 'students.detail', { studentNo: target!.studentNo })).actions.find((a) => a.id === target!.stepId)?.status, {
      timeout: 10_000,
    })
    .toBe('passed');

  await pageB.getByRole('button', { name: '冲突与被拒' }).click();
  const panel = pageB.getByRole('dialog', { name: '冲突与被拒操作' });
  await expect(panel).toContainText('没有冲突，也没有被拒的操作');
  await pageB.screenshot({ path: 'test-results/sync-two-counters.png' });
});
