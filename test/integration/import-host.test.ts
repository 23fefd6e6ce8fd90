import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateRoster } from '../../src-shared/demo/roster';
import { createReplica, type Replica } from '../../src-main/db';
import { createCounterService } from '../../src-main/counter/service';
import { demoSession, loadDemoBatch } from '../../src-main/demo/demo-replica';
import { startBrowserHost, type BrowserHost } from '../../src-main/host/browser-host';

const batch = loadDemoBatch();
let replica: Replica;
let host: BrowserHost;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-import-host-'));
  const { students, initial } = generateRoster(batch, { seed: 5, size: 300 });
  replica = createReplica(join(dir, 'counter.db'), batch, students, initial, { ...demoSession(batch), checkpointId: 'dorm' });
  host = await startBrowserHost({ service: createCounterService(replica), rendererDir: dir });
});
afterAll(async () => {
  await host.close();
  replica.close();
});

const post = (method: string, body: string) =>
  fetch(`http://127.0.0.1:${host.port}/api/call/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}` },
    body,
  });

it('takes a 50,000-row list (over 1 MB of base64) for the import methods only', async () => {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('名单');
  sheet.addRow(['学号', '姓名', '状态', '备注']);
  for (let i = 0; i < 50_000; i++) sheet.addRow([`99${String(i).padStart(8, '0')}`, '张三丰', '通过', '']);
  const base64 = Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
  const body = JSON.stringify({ fileName: '名单.xlsx', base64, stepId: 'dorm-clearance' });
  expect(body.length).toBeGreaterThan(1024 * 1024);

  const preview = await post('listImport.preview', body);
  expect(preview.status).toBe(200);
  expect(await preview.json()).toMatchObject({ ok: true, value: { total: 50_000, counts: { unknown: 50_000 } } });

  const other = await post('students.search', body);
  expect(other.status).toBe(413);
  expect(await other.json()).toEqual({ ok: false, error: { code: 'bad_input', message: '请求内容过大（超过 1 MB）' } });
}, 120_000);

it('still refuses an import body over 32 MB', async () => {
  const huge = await post('listImport.preview', JSON.stringify({ base64: 'A'.repeat(33 * 1024 * 1024), stepId: 'dorm-clearance' }));
  expect(huge.status).toBe(413);
  expect(await huge.json()).toEqual({ ok: false, error: { code: 'bad_input', message: '请求内容过大（超过 32 MB）' } });
});
