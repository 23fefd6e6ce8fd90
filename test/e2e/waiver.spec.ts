import { expect, test } from '@playwright/test';
import type { StudentDetail } from '../../src-shared/contract/counter-api';
import type { BatchDef } from '../../src-shared/domain/types';
import { shot, useDemoHost } from './demo-host';

const host = useDemoHost(400);

/**
 * A graduate at the certificate desk who has done every counter step but still owes what only
 * the library or finance feeds can confirm: exactly the 缓交 case of the manual. Built through
 * the API from a blocked demo student: the manual steps they miss are passed at their desks.
 */
async function waitingOnFeeds(): Promise<{ detail: StudentDetail; feedSteps: { id: string; name: string }[] }> {
  const batch = (await host.call('batch.get', {})) as BatchDef;
  const auto = new Set(batch.checkpoints.flatMap((cp) => cp.steps.filter((s) => s.mode === 'auto').map((s) => s.id)));
  const checkpointOf = new Map(batch.checkpoints.flatMap((cp) => cp.steps.map((s) => [s.id, cp.id] as const)));
  await host.call('session.setCheckpoint', { checkpointId: 'certificates' });
  const { rows } = await host.call('students.search', { college: '机电工程学院', prereq: 'notDone', limit: 200 });
  for (const row of rows) {
    if (row.isPrevious) continue;
    const detail = await host.call('students.detail', { studentNo: row.studentNo });
    const missing = detail.missing.flatMap((g) => g.steps);
    const feeds = missing.filter((s) => auto.has(s.id));
    if (feeds.length === 0) continue;
    for (const step of missing.filter((s) => !auto.has(s.id))) {
      await host.call('session.setCheckpoint', { checkpointId: checkpointOf.get(step.id)! });
      await host.call('steps.apply', { studentNo: row.studentNo, stepId: step.id, action: 'pass', note: '' });
    }
    await host.call('session.setCheckpoint', { checkpointId: 'certificates' });
    return { detail: await host.call('students.detail', { studentNo: row.studentNo }), feedSteps: feeds };
  }
  throw new Error('no blocked student in the demo roster waits on a feed step');
}

test('调整离校点限制: lifting the restriction of an unpaid debt lets the certificate desk hand out the degree certificate', async ({ page }) => {
  const { detail, feedSteps } = await waitingOnFeeds();
  const { studentNo, name } = detail.student;

  await page.goto(host.url);
  await expect(page.getByLabel('当前离校点')).toHaveValue('certificates');
  await page.getByLabel('学生学号').click();
  await page.keyboard.type(studentNo, { delay: 5 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('student-name')).toHaveText(name);
  const notice = page.getByTestId('blocked-notice');
  for (const step of feedSteps) await expect(notice).toContainText(step.name);

  await page.getByRole('button', { name: '调整离校点限制' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('学号')).toHaveValue(studentNo);
  await expect(dialog.locator('.waiver-subtitle').first()).toHaveText(`学生【${name}】具有的前置条件的离校点`);
  const passedRow = dialog.locator('tr[data-step="return-student-card"]');
  await expect(passedRow.getByRole('button', { name: '关闭限制' })).toBeDisabled();
  await expect(passedRow).toContainText('此环节已通过，无需解除限制');
  await expect(dialog.locator('li[data-gated="degree-cert"]')).toContainText('仍需完成');

  await dialog.getByLabel('依据').fill('缓交证明 2027-031');
  for (const step of feedSteps) {
    const row = dialog.locator(`tr[data-step="${step.id}"]`);
    await expect(row).toContainText('限制已开启');
    await row.getByRole('button', { name: '关闭限制' }).click();
    await expect(row).toContainText('限制已关闭');
    await expect(row.getByRole('button', { name: '开启限制' })).toBeEnabled();
  }
  await expect(dialog.locator('li[data-gated="degree-cert"]')).toContainText('可以办理');
  await expect(page.getByTestId('flash')).toContainText('已关闭限制');
  await shot(page, 'waiver-lifted-1366');

  await dialog.getByRole('tab', { name: /已解除限制的学生/ }).click();
  const listed = dialog.locator('.waiver-lifted tbody tr', { hasText: studentNo });
  await expect(listed).toHaveCount(feedSteps.length);
  await expect(listed.first()).toContainText('王老师');
  await expect(listed.first()).toContainText('缓交证明 2027-031');
  await shot(page, 'waiver-list-1366');

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(notice).toBeHidden();
  const degree = page.locator('.ops-card li[data-step="degree-cert"]');
  await degree.getByRole('checkbox').check();
  await page.keyboard.press('F9');
  await expect(degree.locator('.status-pill')).toHaveText(/已通过/);
  const after = await host.call('students.detail', { studentNo });
  expect(after.actions.find((a) => a.id === 'degree-cert')?.status).toBe('passed');
  expect(after.record.flatMap((cp) => cp.steps).filter((s) => s.lifted).map((s) => s.id).sort()).toEqual(feedSteps.map((s) => s.id).sort());
});
