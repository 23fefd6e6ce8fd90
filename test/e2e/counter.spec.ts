import { expect, test, type Page } from '@playwright/test';
import type { StudentDetail } from '../../src-shared/contract/counter-api';
import type { BatchDef } from '../../src-shared/domain/types';
import { setScannerTiming, shot, useDemoHost } from './demo-host';

const host = useDemoHost(300);

/** A checkpoint this operator holds whose step is manual, ungated and for everyone. */
async function plainCheckpointStep(): Promise<{ checkpointId: string; stepId: string; stepName: string }> {
  const [session, batch] = await Promise.all([host.call('session.get', {}), host.call('batch.get', {}) as Promise<BatchDef>]);
  const held = new Set(session.checkpoints.map((c) => c.id));
  const candidates = batch.checkpoints.filter((cp) => held.has(cp.id)).sort((a, b) => Number(b.id === 'dorm') - Number(a.id === 'dorm'));
  for (const cp of candidates) {
    const step = cp.steps.find((s) => s.mode === 'manual' && !s.gate && s.appliesTo === 'all' && s.required);
    if (step) return { checkpointId: cp.id, stepId: step.id, stepName: step.name };
  }
  throw new Error('the demo operator holds no checkpoint with a plain manual step');
}

/** A gated checkpoint (the certificate desk) this operator holds. */
async function gatedCheckpoint(): Promise<string> {
  const [session, batch] = await Promise.all([host.call('session.get', {}), host.call('batch.get', {}) as Promise<BatchDef>]);
  const held = new Set(session.checkpoints.map((c) => c.id));
  const gated = batch.checkpoints.find((cp) => held.has(cp.id) && cp.steps.some((s) => s.gate && s.appliesTo === 'all'));
  if (!gated) throw new Error('the demo operator holds no gated checkpoint');
  return gated.id;
}

async function findStudent(filter: { prereq?: 'done' | 'notDone'; current?: 'done' | 'notDone' }, fits: (d: StudentDetail) => boolean): Promise<StudentDetail> {
  const { rows } = await host.call('students.search', { ...filter, limit: 200 });
  for (const row of rows) {
    if (row.isPrevious) continue;
    const detail = await host.call('students.detail', { studentNo: row.studentNo });
    if (fits(detail)) return detail;
  }
  throw new Error(`no student in the demo roster fits (${JSON.stringify(filter)})`);
}

async function switchCheckpoint(page: Page, checkpointId: string): Promise<void> {
  await page.getByLabel('当前离校点').selectOption(checkpointId);
  await expect(page.getByLabel('当前离校点')).toHaveValue(checkpointId);
  const session = await host.call('session.get', {});
  expect(session.checkpointId).toBe(checkpointId);
}

/** What the stats table says is still unfinished for one step (current-year students). */
async function unfinishedOf(page: Page, stepId: string): Promise<number> {
  const cell = page.locator(`.stats-card tr[data-step="${stepId}"] td`).nth(1);
  await expect(cell).toBeVisible();
  return Number.parseInt((await cell.innerText()).trim(), 10);
}

/**
 * Playwright's key events are CDP round trips; on a loaded 2-core CI machine they arrive tens
 * of milliseconds apart and now and then stall for hundreds, which no USB reader does. The
 * desk-level scanner settings widen the window for that, and switch off the idle commit (these
 * bursts end with Enter) so a stall cannot cut one in two. The default thresholds and the idle
 * commit are covered by the unit tests of WedgeDetector.
 */
const CI_SCANNER_SETTINGS = { maxGapMs: 1500, maxAverageGapMs: 150, idleCommitMs: 0 };

async function openCounter(page: Page): Promise<void> {
  await setScannerTiming(host, CI_SCANNER_SETTINGS);
  await page.goto(host.url);
  await expect(page.locator('.operator-name')).not.toBeEmpty();
}

test('a keyboard-wedge scan opens the student; 提交 passes the step and the record and stats follow', async ({ page }) => {
  await openCounter(page);
  await expect(page).not.toHaveURL(/token=/);
  await expect(page.getByLabel('学生学号')).toBeFocused();

  const { checkpointId, stepId, stepName } = await plainCheckpointStep();
  await switchCheckpoint(page, checkpointId);
  const student = await findStudent({ current: 'notDone' }, (d) => {
    const row = d.actions.find((a) => a.id === stepId);
    return d.inScope && row?.status === 'pending' && row.pass === null;
  });
  const { studentNo, name } = student.student;
  const before = await unfinishedOf(page, stepId);

  // The reader types while the cursor sits in an unrelated field.
  const nameField = page.getByLabel('学生姓名');
  await nameField.click();
  await page.keyboard.type(studentNo, { delay: 5 });
  await page.keyboard.press('Enter');

  await expect(page.getByTestId('student-name')).toHaveText(name);
  await expect(page.locator('.info-no')).toHaveText(studentNo);
  await expect(nameField).toHaveValue('');
  await expect(page.getByTestId('flash')).toHaveAttribute('data-tone', 'success');
  await expect(page.locator(`.record-card li[data-step="${stepId}"]`)).toContainText('未办理');

  const opRow = page.locator(`.ops-card li[data-step="${stepId}"]`);
  await opRow.getByLabel(`${stepName} 备注`).fill('宿舍钥匙已收回');
  await opRow.getByRole('checkbox').check();
  await shot(page, 'counter-scanned-1366');
  await page.keyboard.press('F9');

  await expect(page.locator(`.record-card li[data-step="${stepId}"]`)).toContainText('已通过');
  await expect(opRow.locator('.status-pill')).toHaveText(/已通过/);
  await expect(opRow).toContainText('宿舍钥匙已收回');
  await expect.poll(() => unfinishedOf(page, stepId)).toBe(before - 1);

  const after = await host.call('students.detail', { studentNo });
  const stored = after.actions.find((a) => a.id === stepId);
  expect(stored?.status).toBe('passed');
  expect(stored?.note).toBe('宿舍钥匙已收回');

  await shot(page, 'counter-confirmed-1366');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await shot(page, 'counter-confirmed-1920');

  // A reload of the same tab keeps working: the token lives on in sessionStorage.
  await page.reload();
  await expect(page.locator('.operator-name')).not.toBeEmpty();
  await expect(page.getByLabel('当前离校点')).toHaveValue(checkpointId);
});

test('a student with unfinished prerequisites gets the blocked message, one line per checkpoint', async ({ page }) => {
  await openCounter(page);
  const checkpointId = await gatedCheckpoint();
  await switchCheckpoint(page, checkpointId);
  const student = await findStudent({ prereq: 'notDone' }, (d) => d.inScope && d.actions.some((a) => a.pass?.code === 'blocked'));

  await page.getByLabel('学生学号').click();
  await page.keyboard.type(student.student.studentNo, { delay: 5 });
  await page.keyboard.press('Enter');

  const notice = page.getByTestId('blocked-notice');
  await expect(notice).toContainText('无法办理：当前学生没有完成以下步骤');
  await expect(notice.locator('li')).toHaveCount(student.missing.length);
  for (const [i, group] of student.missing.entries()) {
    const line = notice.locator('li').nth(i);
    await expect(line).toContainText(group.checkpointName);
    for (const step of group.steps) await expect(line).toContainText(step.name);
  }
  await expect(page.getByTestId('flash')).toHaveAttribute('data-tone', 'blocked');
  await expect(page.getByLabel('学生学号')).toHaveValue('');

  const blockedStep = student.actions.find((a) => a.pass?.code === 'blocked');
  const opRow = page.locator(`.ops-card li[data-step="${blockedStep?.id}"]`);
  await expect(opRow.getByRole('checkbox')).toBeDisabled();
  await expect(opRow.getByRole('button', { name: '通过', exact: true })).toBeDisabled();
  await shot(page, 'counter-blocked-1366');
});

test('a scan arriving through a Chinese IME (key "Process", keyCode 229) still opens the student', async ({ page }) => {
  await openCounter(page);
  const { rows } = await host.call('students.search', { limit: 1 });
  const [row] = rows;
  expect(row).toBeDefined();
  const studentNo = row?.studentNo ?? '';

  await page.getByLabel('学生学号').click();
  await page.evaluate(async (code) => {
    const target = document.activeElement ?? document.body;
    const pause = () => new Promise((r) => setTimeout(r, 4));
    const press = (init: KeyboardEventInit & { keyCode: number }) =>
      target.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, cancelable: true, composed: true, ...init }));
    target.dispatchEvent(new CompositionEvent('compositionstart', { bubbles: true, data: '' }));
    for (const ch of code) {
      press({ key: 'Process', code: /\d/.test(ch) ? `Digit${ch}` : `Key${ch.toUpperCase()}`, keyCode: 229 });
      await pause();
    }
    press({ key: 'Process', code: 'Enter', keyCode: 229 });
    target.dispatchEvent(new CompositionEvent('compositionend', { bubbles: true, data: code }));
  }, studentNo);

  await expect(page.locator('.info-no')).toHaveText(studentNo);
  await expect(page.getByTestId('student-name')).toHaveText(row?.name ?? '');
});

test('an unknown 学号 is answered with a Chinese message, Esc clears the desk', async ({ page }) => {
  await openCounter(page);
  await page.getByLabel('学生学号').click();
  await page.keyboard.type('9999999999', { delay: 5 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('flash')).toHaveText('未找到学生：9999999999');
  await expect(page.getByTestId('flash')).toHaveAttribute('data-tone', 'notFound');

  // Typed slowly, a 学号 is a search: none found is answered as a scan would be.
  await page.getByLabel('学生学号').fill('');
  await page.getByLabel('学生学号').pressSequentially('9999999998', { delay: 350 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('flash')).toHaveText('未找到学生：9999999998');
  await page.getByLabel('学生学号').fill('');

  // Typed slowly, a 学号 is a search: one match opens straight away.
  const { rows } = await host.call('students.search', { limit: 1 });
  const studentNo = rows[0]?.studentNo ?? '';
  await page.getByLabel('学生学号').pressSequentially(studentNo, { delay: 350 });
  await page.keyboard.press('Enter');
  await expect(page.locator('.info-no')).toHaveText(studentNo);

  await page.keyboard.press('Escape');
  await expect(page.getByTestId('student-name')).toHaveCount(0);
  await expect(page.getByLabel('学生学号')).toBeFocused();
  await expect(page.getByLabel('学生学号')).toHaveValue('');
});

test('未通过 and 撤销 ask for a reason inline; the record shows the outcome and the reason', async ({ page }) => {
  await openCounter(page);
  const { checkpointId, stepId } = await plainCheckpointStep();
  await switchCheckpoint(page, checkpointId);
  const student = await findStudent({ current: 'notDone' }, (d) => {
    const row = d.actions.find((a) => a.id === stepId);
    return d.inScope && row?.status === 'pending' && row.reject === null;
  });
  await page.getByLabel('学生学号').fill(student.student.studentNo);
  await page.keyboard.press('Enter');
  await expect(page.locator('.info-no')).toHaveText(student.student.studentNo);

  const opRow = page.locator(`.ops-card li[data-step="${stepId}"]`);
  const recordStep = page.locator(`.record-card li[data-step="${stepId}"]`);
  await opRow.getByRole('button', { name: '未通过', exact: true }).click();
  const reason = opRow.getByLabel('未通过原因');
  await expect(reason).toBeFocused();
  await reason.press('Enter');
  await expect(opRow.locator('.reason-prompt')).toContainText('请填写原因');

  await reason.fill('宿舍床位损坏，待赔偿');
  await reason.press('Enter');
  await expect(recordStep).toContainText('未通过');
  await expect(recordStep).toContainText('宿舍床位损坏，待赔偿');
  await expect(opRow.locator('.reason-prompt')).toHaveCount(0);
  await shot(page, 'counter-rejected-1366');

  await opRow.getByRole('button', { name: '撤销', exact: true }).click();
  await opRow.getByLabel('撤销原因').fill('已赔偿，撤销未通过');
  await opRow.getByRole('button', { name: '确定' }).click();
  await expect(recordStep).toContainText('未办理');
  await expect(page.locator('.activity-card li')).toHaveCount(2);

  const after = await host.call('students.detail', { studentNo: student.student.studentNo });
  expect(after.actions.find((a) => a.id === stepId)?.status).toBe('pending');
});

test('a change made elsewhere reaches the open student and the stats without a refresh', async ({ page }) => {
  await openCounter(page);
  const { checkpointId, stepId } = await plainCheckpointStep();
  await switchCheckpoint(page, checkpointId);
  const student = await findStudent({ current: 'notDone' }, (d) => {
    const row = d.actions.find((a) => a.id === stepId);
    return d.inScope && row?.status === 'pending' && row.pass === null;
  });
  await page.getByLabel('学生学号').fill(student.student.studentNo);
  await page.keyboard.press('Enter');
  await expect(page.locator('.info-no')).toHaveText(student.student.studentNo);
  const before = await unfinishedOf(page, stepId);

  // Another client of the same back end (a second window, a sync pull) passes the step.
  await host.call('steps.apply', { studentNo: student.student.studentNo, stepId, action: 'pass', note: '另一窗口办理' });

  await expect(page.locator(`.record-card li[data-step="${stepId}"]`)).toContainText('已通过');
  await expect(page.locator(`.ops-card li[data-step="${stepId}"]`)).toContainText('另一窗口办理');
  await expect.poll(() => unfinishedOf(page, stepId)).toBe(before - 1);
});

test('the results list renders a window of rows and fetches further pages as it scrolls', async ({ page }) => {
  await openCounter(page);
  const { total } = await host.call('students.search', { limit: 1 });
  expect(total).toBeGreaterThan(200);
  const last = await host.call('students.search', { limit: 1, offset: total - 1 });

  await page.getByRole('button', { name: /查询/ }).click();
  await expect(page.locator('.results-card .card-meta')).toHaveText(`共 ${total} 人`);
  const rendered = await page.locator('.result-row').count();
  expect(rendered).toBeGreaterThan(0);
  expect(rendered).toBeLessThan(60);

  await page.locator('.results-viewport').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await expect(page.locator('.result-row', { hasText: last.rows[0]?.studentNo ?? '' })).toBeVisible();
  expect(await page.locator('.result-row').count()).toBeLessThan(60);
});
