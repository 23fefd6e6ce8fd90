import { expect, test, type Page } from '@playwright/test';
import { setScannerTiming, shot, useDemoHost } from './demo-host';

const host = useDemoHost(400);

async function openCounter(page: Page): Promise<void> {
  await setScannerTiming(host, { maxGapMs: 400, maxAverageGapMs: 70 });
  await page.goto(host.url);
  await expect(page.locator('.operator-name')).not.toBeEmpty();
}

async function openStudent(page: Page, studentNo: string): Promise<void> {
  await page.getByLabel('学生学号').click();
  await page.keyboard.type(studentNo, { delay: 5 });
  await page.keyboard.press('Enter');
  await expect(page.locator('.info-no')).toHaveText(studentNo);
}

test('按班级批量操作: the class grid, 全选可办 and one submit pass every eligible classmate; the others say why', async ({ page }) => {
  await openCounter(page);
  await page.getByLabel('当前离校点').selectOption('student-affairs');
  await expect.poll(async () => (await host.call('session.get', {})).checkpointId).toBe('student-affairs');

  // A class where some can be passed and some cannot (already passed), as on a real day 3.
  const { rows } = await host.call('students.search', { limit: 400 });
  let pick: { studentNo: string; eligible: string[]; passed: string[]; size: number } | null = null;
  for (const row of rows) {
    const grid = await host.call('batch.grid', { studentNo: row.studentNo, by: 'class' });
    const col = grid.ownStepIds.indexOf('return-student-card');
    const eligible = grid.rows.filter((r) => r.cells[col] === null).map((r) => r.studentNo);
    const passed = grid.rows.filter((r) => r.cells[col]?.code === 'already_passed').map((r) => r.studentNo);
    if (eligible.length >= 5 && passed.length >= 2) {
      pick = { studentNo: row.studentNo, eligible, passed, size: grid.rows.length };
      break;
    }
  }
  if (!pick) throw new Error('no class in the demo roster with eligible and passed students');

  await openStudent(page, pick.studentNo);
  await page.locator('.ops-card li[data-step="return-student-card"]').getByRole('checkbox').check();
  await shot(page, 'batch-entry-1366');
  await page.getByRole('button', { name: '按班级批量操作' }).click();

  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.locator(`.batch-row[data-student="${pick.studentNo}"]`)).toBeVisible();
  await expect(dialog.locator('.desk-dialog-meta')).toContainText(`共 ${pick.size} 人`);
  await expect(dialog.locator('.batch-counts')).toContainText(`可办 ${pick.eligible.length} 人`);
  const passedRow = dialog.locator(`.batch-row[data-student="${pick.passed[0]}"]`);
  await expect(passedRow.locator('.batch-reason')).toHaveText('此环节已通过');
  await expect(passedRow.getByRole('checkbox').first()).toBeDisabled();
  await shot(page, 'batch-class-grid-1366');

  // Keyboard only: F8 selects all eligible, Space unticks the active row, F9 submits.
  await page.keyboard.press('F8');
  await expect(dialog.locator('.batch-counts')).toContainText(`已选 ${pick.eligible.length} 人`);
  const firstEligibleIndex = await dialog.locator('.batch-row').evaluateAll(
    (els, no) => els.findIndex((el) => el.getAttribute('data-student') === no),
    pick.eligible[0],
  );
  await dialog.getByRole('grid').focus();
  for (let i = 0; i < firstEligibleIndex; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  await expect(dialog.locator('.batch-counts')).toContainText(`已选 ${pick.eligible.length - 1} 人`);
  await dialog.getByLabel('备注').fill('班长统一上交学生证');
  await page.keyboard.press('F9');

  await expect(dialog.locator('.batch-summary')).toContainText(`通过 ${pick.eligible.length - 1} 人`);
  await expect(page.getByTestId('flash')).toContainText(`批量办理完成：通过 ${pick.eligible.length - 1} 人`);
  await expect(dialog.locator('.batch-counts')).toContainText('可办 1 人');
  await shot(page, 'batch-class-summary-1366');

  const after = await host.call('batch.grid', { studentNo: pick.studentNo, by: 'class' });
  const col = after.ownStepIds.indexOf('return-student-card');
  const stillOpen = after.rows.filter((r) => r.cells[col] === null).map((r) => r.studentNo);
  expect(stillOpen).toEqual([pick.eligible[0]]);
  const sample = await host.call('students.detail', { studentNo: pick.eligible[1]! });
  expect(sample.actions.find((a) => a.id === 'return-student-card')).toMatchObject({ status: 'passed', note: '班长统一上交学生证' });

  // Esc closes the grid, not the student behind it.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.locator('.info-no')).toHaveText(pick.studentNo);
});

test('按宿舍批量操作 and 按学院批量操作 list the room and, at a college checkpoint, the whole college', async ({ page }) => {
  await openCounter(page);
  await page.getByLabel('当前离校点').selectOption('college');
  await expect.poll(async () => (await host.call('session.get', {})).checkpointId).toBe('college');
  const { rows } = await host.call('students.search', { college: '机电工程学院', limit: 50 });
  const resident = rows.find((r) => r.dorm && !r.isPrevious)!;
  await openStudent(page, resident.studentNo);

  await page.getByRole('button', { name: '按宿舍批量操作' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.locator('#batch-grid-title')).toContainText(resident.dorm!);
  const room = await host.call('batch.grid', { studentNo: resident.studentNo, by: 'dorm' });
  await expect(dialog.locator('.batch-row')).toHaveCount(room.rows.length);
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: '按学院批量操作' }).click();
  const college = await host.call('batch.grid', { studentNo: resident.studentNo, by: 'college' });
  await expect(dialog.locator('.desk-dialog-meta')).toContainText(`共 ${college.rows.length} 人`);
  // Windowed: a college is hundreds of rows, only those in view are in the page.
  expect(await dialog.locator('.batch-row').count()).toBeLessThan(college.rows.length);
  await shot(page, 'batch-college-grid-1366');
  await dialog.getByRole('grid').focus();
  await page.keyboard.press('End');
  await expect(dialog.locator(`.batch-row[data-student="${college.rows.at(-1)!.studentNo}"]`)).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});
