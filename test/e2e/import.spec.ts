import { mkdirSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { expect, test, type Page } from '@playwright/test';
import { shot, useDemoHost } from './demo-host';

const host = useDemoHost(400);
const toFullWidth = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

async function openCounter(page: Page): Promise<void> {
  await page.goto(host.url);
  await expect(page.locator('.operator-name')).not.toBeEmpty();
}

/** Students of one class at the 宿管中心: who can still be passed, who already is. */
async function dormClass(): Promise<{ eligible: string[]; passed: string[] }> {
  const { rows } = await host.call('students.search', { limit: 400 });
  for (const row of rows) {
    const grid = await host.call('batch.grid', { studentNo: row.studentNo, by: 'class' });
    const col = grid.ownStepIds.indexOf('dorm-clearance');
    const eligible = grid.rows.filter((r) => r.cells[col] === null && r.studentNo.startsWith('0')).map((r) => r.studentNo);
    const passed = grid.rows.filter((r) => r.cells[col]?.code === 'already_passed').map((r) => r.studentNo);
    if (eligible.length >= 4 && passed.length >= 1) return { eligible, passed };
  }
  throw new Error('no class in the demo roster fits');
}

test('导入名单: an xlsx from Excel is previewed row by row, imported in one go, and the rows not taken come back as a file', async ({ page }) => {
  await openCounter(page);
  await page.getByLabel('当前离校点').selectOption('dorm');
  await expect.poll(async () => (await host.call('session.get', {})).checkpointId).toBe('dorm');
  const { eligible, passed } = await dormClass();
  const [a, b, c, d] = eligible as [string, string, string, string];

  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('宿舍清理');
  sheet.addRow(['学号', '姓名', '状态', '备注']);
  sheet.addRow([a, '', '通过', '钥匙已交']);
  sheet.addRow([Number(b), '', '', '']);
  sheet.addRow([toFullWidth(c), '', '', '']);
  sheet.addRow(['0399999999', '', '', '']);
  sheet.addRow([a, '', '', '']);
  sheet.addRow([passed[0], '', '', '']);
  sheet.addRow([d, '', '未通过', '床铺未清理']);
  mkdirSync('test-results', { recursive: true });
  const path = 'test-results/import-e2e.xlsx';
  await wb.xlsx.writeFile(path);

  await page.getByRole('button', { name: '导入名单' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('办理环节')).toHaveValue('dorm-clearance');

  const template = page.waitForEvent('download');
  await dialog.getByRole('button', { name: '下载模板' }).click();
  expect((await template).suggestedFilename()).toBe('导入名单模板.xlsx');

  await dialog.locator('#import-file-input').setInputFiles(path);
  await expect(dialog.locator('.import-file-name')).toHaveText('import-e2e.xlsx');
  await expect(dialog.locator('.import-summary')).toContainText('共 7 行，可导入 4 行');
  await expect(dialog.locator('.import-summary')).toContainText('其中通过 3 行，未通过 1 行');
  await expect(dialog.locator('.import-summary')).toContainText('已补回前导零 1 行，全角转半角 1 行');
  await expect(dialog.locator('[data-verdict="unknown"]')).toContainText('1');
  await expect(dialog.locator('[data-verdict="duplicate"]')).toContainText('1');
  await expect(dialog.locator('[data-verdict="already_done"]')).toContainText('1');
  await expect(dialog.locator('.import-row[data-row="3"]')).toContainText(`已补回前导零为 ${b}`);
  await expect(dialog.locator('.import-row[data-row="6"]')).toContainText('与第 2 行的学号重复');
  await shot(page, 'import-preview-1366');

  // The preview wrote nothing.
  const before = await host.call('students.detail', { studentNo: a });
  expect(before.actions.find((x) => x.id === 'dorm-clearance')?.status).toBe('pending');

  await dialog.locator('[data-verdict="unknown"]').click();
  await expect(dialog.locator('.import-row')).toHaveCount(1);
  await dialog.getByRole('button', { name: /^全部/ }).click();

  await dialog.getByLabel('办理环节').focus();
  await page.keyboard.press('Enter');
  await expect(dialog.locator('.import-result')).toContainText('导入完成：通过 3 人，未通过 1 人，未导入 3 行');
  await shot(page, 'import-done-1366');

  for (const no of [a, b, c]) {
    const detail = await host.call('students.detail', { studentNo: no });
    expect(detail.actions.find((x) => x.id === 'dorm-clearance')?.status).toBe('passed');
  }
  const rejected = await host.call('students.detail', { studentNo: d });
  expect(rejected.actions.find((x) => x.id === 'dorm-clearance')).toMatchObject({ status: 'rejected', note: '床铺未清理' });

  const download = page.waitForEvent('download');
  await dialog.getByRole('button', { name: '下载未导入的 3 行' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('import-e2e-未导入的行.xlsx');
  const saved = new ExcelJS.Workbook();
  await saved.xlsx.readFile(await file.path());
  const out = saved.worksheets[0]!;
  expect([2, 3, 4].map((r) => [out.getRow(r).getCell(1).value, out.getRow(r).getCell(6).value])).toEqual([
    [5, '学号不存在：学号不存在'],
    [6, '重复：与第 2 行的学号重复'],
    [7, '已办理：此环节已通过'],
  ]);

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});

test('导入名单 names an .xls and says how to save it as .xlsx, and reads a CSV that WPS saved in GBK', async ({ page }) => {
  await openCounter(page);
  await page.getByLabel('当前离校点').selectOption('dorm');
  await expect.poll(async () => (await host.call('session.get', {})).checkpointId).toBe('dorm');
  await page.getByRole('button', { name: '导入名单' }).click();
  const dialog = page.getByRole('dialog');
  // Every .xls starts with the OLE2 compound-file signature; that is all the counter looks at.
  const xls = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]);
  await dialog.locator('#import-file-input').setInputFiles({ name: '名单.xls', mimeType: 'application/vnd.ms-excel', buffer: xls });
  await expect(dialog.getByRole('alert')).toContainText('这是旧版 Excel 97-2003 (.xls) 文件');
  await expect(dialog.getByRole('alert')).toContainText('“另存为”选择“Excel 工作簿 (.xlsx)”');
  await expect(dialog.getByRole('button', { name: /^导入 / })).toBeDisabled();
  await shot(page, 'import-xls-1366');

  const [student] = (await dormClass()).eligible;
  // "学号,备注" in GBK, and the 学号 as Excel leaves it in a CSV: without its leading zero.
  const csv = Buffer.concat([Buffer.from('d1a7bac52cb1b8d7a2', 'hex'), Buffer.from(`\r\n${Number(student)},\r\n`)]);
  await dialog.locator('#import-file-input').setInputFiles({ name: '图书馆导出.csv', mimeType: 'text/csv', buffer: csv });
  await expect(dialog.locator('.import-summary')).toContainText('共 1 行，可导入 1 行');
  await expect(dialog.locator('.import-summary')).toContainText('已补回前导零 1 行');
  await expect(dialog.locator('.import-row[data-row="2"]')).toContainText(`已补回前导零为 ${student}`);
});
