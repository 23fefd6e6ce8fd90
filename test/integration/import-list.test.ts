import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportPreview } from '../../src-shared/contract/batch-api';
import type { InitialState, RosterStudent } from '../../src-shared/domain/types';
import { generateRoster } from '../../src-shared/demo/roster';
import { idCardCheckDigit } from '../../src-shared/scan/classify';
import { createReplica, type Replica } from '../../src-main/db';
import { createCounterService, type CounterService } from '../../src-main/counter/service';
import { DEMO_COLLEGE, demoSession, loadDemoBatch } from '../../src-main/demo/demo-replica';

const batchDef = loadDemoBatch();
const NOW = new Date('2027-06-23T03:00:00.000Z');

async function xlsx(build: (sheet: ExcelJS.Worksheet) => void): Promise<string> {
  const wb = new ExcelJS.Workbook();
  build(wb.addWorksheet('名单'));
  return Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
}

const toFullWidth = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

let replica: Replica;
let service: CounterService;
const count = (sql: string, ...p: unknown[]) => (replica.sqlite.prepare(sql).get(...p) as { n: number }).n;
const states = () => replica.sqlite.prepare('select student_no, step_id, status, version from step_states order by 1, 2').all();

/** Students of the demo college in 学号 order, with the status of one step. */
function withStatus(stepId: string, status: string, limit: number): string[] {
  return replica.sqlite
    .prepare(
      `select s.student_no from students s join step_states st on st.student_no = s.student_no
        where st.step_id = ? and st.status = ? and s.college = ? and s.student_no like '0%' order by s.student_no limit ?`,
    )
    .pluck()
    .all(stepId, status, DEMO_COLLEGE, limit) as string[];
}

beforeAll(() => {
  const { students, initial } = generateRoster(batchDef, { seed: 11, size: 3000 });
  replica = createReplica(join(mkdtempSync(join(tmpdir(), 'lixiao-import-')), 'counter.db'), batchDef, students, initial, demoSession(batchDef));
  service = createCounterService(replica, { now: () => NOW });
});
afterAll(() => replica.close());

describe('导入名单: preview', () => {
  it('sorts every row into matched, unknown, duplicate, restored, full-width, invalid and already done, and applies nothing', async () => {
    service.call('session.setCheckpoint', { checkpointId: 'dorm' });
    const [a, b, c, d, e, f] = withStatus('dorm-clearance', 'pending', 6) as [string, string, string, string, string, string];
    const [done] = withStatus('dorm-clearance', 'passed', 1) as [string];
    const base64 = await xlsx((s) => {
      s.addRow(['序号', '学号', '姓名', '状态', '备注']);
      s.addRow([1, a, '', '通过', '']);
      s.addRow([2, Number(b), '', '', '']);
      s.addRow([3, toFullWidth(c), '', '', '']);
      s.addRow([4, '0399999999', '', '', '']);
      s.addRow([5, a, '', '', '']);
      s.addRow([6, done, '', '', '']);
      s.addRow([7, d, '', '未通过', '宿舍钥匙未交']);
      s.addRow([8, e, '', '未通过', '']);
      s.addRow([9, { formula: `"${f.slice(0, 4)}"&"${f.slice(4)}"`, result: f }, '', '', '']);
      s.addRow([10, { formula: '1/0', result: { error: '#DIV/0!' } }, '', '', '']);
    });
    const before = states();
    const outbox = count('select count(*) as n from outbox');
    const p = await service.call('listImport.preview', { fileName: '宿舍名单.xlsx', base64, stepId: 'dorm-clearance' });
    expect(states()).toEqual(before);
    expect(count('select count(*) as n from outbox')).toBe(outbox);

    const byRow = new Map(p.rows.map((r) => [r.rowNumber, r]));
    const verdicts = [...byRow.values()].sort((x, y) => x.rowNumber - y.rowNumber).map((r) => [r.rowNumber, r.verdict, r.studentNo]);
    expect(verdicts).toEqual([
      [2, 'ready', a],
      [3, 'ready', b],
      [4, 'ready', c],
      [5, 'unknown', null],
      [6, 'duplicate', a],
      [7, 'already_done', done],
      [8, 'ready', d],
      [9, 'invalid', null],
      [10, 'ready', f],
      [11, 'invalid', null],
    ]);
    expect(byRow.get(3)).toMatchObject({ restored: true, raw: String(Number(b)), message: `Excel 把学号存成了数字 ${Number(b)}，已补回前导零为 ${b}` });
    expect(byRow.get(4)).toMatchObject({ fullWidth: true, message: '学号中的全角字符已转换为半角' });
    expect(byRow.get(5)?.message).toBe('学号不存在');
    expect(byRow.get(6)?.message).toBe('与第 2 行的学号重复');
    expect(byRow.get(7)?.message).toBe('此环节已通过');
    expect(byRow.get(8)).toMatchObject({ action: 'reject', note: '宿舍钥匙未交' });
    expect(byRow.get(9)?.message).toBe('状态为“未通过”时必须在备注中写明原因');
    expect(byRow.get(11)?.message).toBe('学号单元格的公式出错');
    expect(byRow.get(2)?.name).toBe(replica.sqlite.prepare('select name from students where student_no = ?').pluck().get(a));
    expect(p).toMatchObject({ total: 10, passCount: 4, rejectCount: 1, restoredCount: 1, fullWidthCount: 1, stepName: '清理宿舍物品', sheetName: '名单' });
    expect(p.counts).toMatchObject({ ready: 5, unknown: 1, duplicate: 1, already_done: 1, invalid: 2, blocked: 0 });
  });

  it('names gate-blocked, not-applicable and out-of-scope rows', async () => {
    service.call('session.setCheckpoint', { checkpointId: 'college' });
    const member = replica.sqlite
      .prepare(`select student_no from students where college = ? and json_extract(flags, '$.党团员') = 0 limit 1`)
      .pluck()
      .get(DEMO_COLLEGE) as string;
    const foreign = replica.sqlite.prepare('select student_no from students where college <> ? limit 1').pluck().get(DEMO_COLLEGE) as string;
    const party = await service.call('listImport.preview', {
      base64: await xlsx((s) => {
        s.addRow(['学号']);
        s.addRow([member]);
        s.addRow([foreign]);
      }),
      stepId: 'party-transfer',
    });
    expect(party.rows.map((r) => [r.verdict, r.message])).toEqual([
      ['not_applicable', '该学生无需办理此环节'],
      ['out_of_scope', '该学生不属于您负责的学院，不能办理'],
    ]);

    service.call('session.setCheckpoint', { checkpointId: 'certificates' });
    const { rows } = service.call('students.search', { college: DEMO_COLLEGE, prereq: 'notDone', limit: 1 });
    const cert = await service.call('listImport.preview', {
      base64: await xlsx((s) => {
        s.addRow(['学号']);
        s.addRow([rows[0]!.studentNo]);
      }),
      stepId: 'degree-cert',
    });
    expect(cert.rows[0]?.verdict).toBe('blocked');
    expect(cert.rows[0]?.message).toMatch(/^前置未完成：/);
    expect(cert.counts.blocked).toBe(1);
  });

  it('refuses a file that is not a table, an empty one, one without 学号, and a step of another checkpoint', async () => {
    service.call('session.setCheckpoint', { checkpointId: 'dorm' });
    const call = (base64: string, stepId = 'dorm-clearance') => service.call('listImport.preview', { base64, stepId });
    await expect(call(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]).toString('base64'))).rejects.toThrow('文件不是可读取的表格');
    await expect(call(await xlsx(() => undefined))).rejects.toThrow('表格是空的，没有找到任何数据行');
    await expect(call(await xlsx((s) => s.addRow(['姓名', '班级'])))).rejects.toThrow('找不到“学号”列');
    const ok = await xlsx((s) => s.addRow(['学号']));
    await expect(call(ok, 'electricity')).rejects.toThrow('“清理电费”不是宿管中心离校点的环节，不能在此导入');
    service.call('session.setCheckpoint', { checkpointId: 'library' });
    await expect(call(ok, 'return-books')).rejects.toThrow('“归还图书”由其他系统自动同步，不能导入');
    await expect(async () => call('')).rejects.toThrow('请选择要导入的 Excel 文件');
  });

  it('flags merged 学号 cells', async () => {
    service.call('session.setCheckpoint', { checkpointId: 'dorm' });
    const [a, b] = withStatus('dorm-clearance', 'pending', 2) as [string, string];
    const p = await service.call('listImport.preview', {
      base64: await xlsx((s) => {
        s.addRow(['学号', '备注']);
        s.addRow([a, '']);
        s.addRow(['', '']);
        s.mergeCells('A2:A3');
        s.addRow([b, '']);
      }),
      stepId: 'dorm-clearance',
    });
    expect(p.rows.map((r) => [r.rowNumber, r.verdict, r.message])).toEqual([
      [3, 'invalid', '学号单元格是合并单元格，请取消合并'],
      [2, 'ready', ''],
      [4, 'ready', ''],
    ]);
  });
});

describe('导入名单: apply', () => {
  it('re-checks every row, writes the ready ones in one transaction and returns the rows not taken with reasons', async () => {
    service.call('session.setCheckpoint', { checkpointId: 'student-affairs' });
    const [a, b, c, d] = withStatus('return-student-card', 'pending', 4) as [string, string, string, string];
    const base64 = await xlsx((s) => {
      s.addRow(['学号', '状态', '备注']);
      s.addRow([a, '通过', '班长交来']);
      s.addRow([Number(b), '', '']);
      s.addRow([c, '未通过', '学生证遗失']);
      s.addRow([d, '', '']);
      s.addRow(['0399999999', '', '']);
    });
    const input = { fileName: 'D:\\名单\\学生证.xlsx', base64, stepId: 'return-student-card' };
    const preview = await service.call('listImport.preview', input);
    expect(preview.counts.ready).toBe(4);
    // Someone at another window passes d between the preview and the import.
    service.call('steps.apply', { studentNo: d, stepId: 'return-student-card', action: 'pass', note: '' });
    const seq = count('select max(device_seq) as n from outbox');

    const result = await service.call('listImport.apply', input);
    expect(result).toMatchObject({ passed: 2, rejected: 1, notTaken: 2 });
    // The preview that comes back is judged after the write.
    expect(result.preview.counts).toMatchObject({ ready: 0, already_done: 4, unknown: 1 });
    const ops = replica.sqlite.prepare('select kind, student_no, args, client_time from outbox where device_seq > ? order by device_seq').all(seq);
    expect(ops).toEqual([
      { kind: 'pass', student_no: a, args: JSON.stringify({ note: '班长交来' }), client_time: NOW.toISOString() },
      { kind: 'pass', student_no: b, args: JSON.stringify({ note: '' }), client_time: NOW.toISOString() },
      { kind: 'reject', student_no: c, args: JSON.stringify({ note: '学生证遗失' }), client_time: NOW.toISOString() },
    ]);
    expect(count(`select count(*) as n from audit_log where at = ? and step_id = 'return-student-card'`, NOW.toISOString())).toBe(4);
    expect(replica.sqlite.prepare(`select status, note from step_states where student_no = ? and step_id = 'return-student-card'`).get(c)).toEqual({
      status: 'rejected',
      note: '学生证遗失',
    });

    expect(result.rejectedFile?.fileName).toBe('学生证-未导入的行.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(result.rejectedFile!.base64, 'base64') as unknown as ExcelJS.Buffer);
    const sheet = wb.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([undefined, '原行号', '学号', '姓名', '状态', '备注', '未导入原因']);
    expect([2, 3].map((r) => [sheet.getRow(r).getCell(1).value, sheet.getRow(r).getCell(2).value, sheet.getRow(r).getCell(6).value])).toEqual([
      [5, d, '已办理：此环节已通过'],
      [6, '0399999999', '学号不存在：学号不存在'],
    ]);

    const again = await service.call('listImport.apply', input);
    expect(again).toMatchObject({ passed: 0, rejected: 0, notTaken: 5 });
  });

  it('asks about a number that fits several 学号 lengths and takes the operator’s choice', async () => {
    const first17 = '43010220030101123';
    const mk = (studentNo: string, name: string): RosterStudent => ({
      studentNo,
      name,
      gender: '女',
      college: '外国语学院',
      major: '英语',
      className: '23英语1班',
      dorm: null,
      idCard: first17.slice(0, 14) + studentNo.slice(-3) + idCardCheckDigit(first17.slice(0, 14) + studentNo.slice(-3)),
      isPrevious: false,
      flags: {},
    });
    const initial: InitialState[] = [];
    const small = createReplica(
      join(mkdtempSync(join(tmpdir(), 'lixiao-import-amb-')), 'counter.db'),
      batchDef,
      [mk('0803010104', '林晓'), mk('00803010104', '林晓雯'), mk('0803010105', '周敏')],
      initial,
      { ...demoSession(batchDef), checkpointId: 'dorm' },
    );
    try {
      const svc = createCounterService(small, { now: () => NOW });
      const base64 = await xlsx((s) => {
        s.addRow(['学号']);
        s.addRow([803010104]);
        s.addRow([803010105]);
      });
      const p: ImportPreview = await svc.call('listImport.preview', { base64, stepId: 'dorm-clearance' });
      expect(p.rows[0]).toMatchObject({
        rowNumber: 2,
        verdict: 'ambiguous',
        candidates: [
          { studentNo: '0803010104', name: '林晓', className: '23英语1班' },
          { studentNo: '00803010104', name: '林晓雯', className: '23英语1班' },
        ],
        message: '学号被 Excel 存成了数字，补零后可能是 0803010104 或 00803010104，请确认',
      });
      expect(p.rows[1]).toMatchObject({ verdict: 'ready', studentNo: '0803010105', restored: true });
      const chosen = await svc.call('listImport.preview', { base64, stepId: 'dorm-clearance', choices: { '2': '00803010104' } });
      expect(chosen.rows.find((r) => r.rowNumber === 2)).toMatchObject({ verdict: 'ready', studentNo: '00803010104', name: '林晓雯' });
      const bogus = await svc.call('listImport.preview', { base64, stepId: 'dorm-clearance', choices: { '2': '0803010105' } });
      expect(bogus.rows.find((r) => r.rowNumber === 2)?.verdict).toBe('ambiguous');
      const applied = await svc.call('listImport.apply', { base64, stepId: 'dorm-clearance', choices: { '2': '00803010104' } });
      expect(applied).toMatchObject({ passed: 2, notTaken: 0, rejectedFile: null });
      expect(small.sqlite.prepare(`select student_no from step_states where step_id = 'dorm-clearance' and status = 'passed' order by 1`).pluck().all()).toEqual([
        '00803010104',
        '0803010105',
      ]);
    } finally {
      small.close();
    }
  });

  it('previews and applies a 50,000-row list', async () => {
    service.call('session.setCheckpoint', { checkpointId: 'utilities' });
    const pending = replica.sqlite.prepare(`select student_no from step_states where step_id = 'electricity' and status = 'pending' order by 1`).pluck().all() as string[];
    const base64 = await xlsx((s) => {
      s.addRow(['学号', '状态', '备注']);
      for (let i = 0; i < 50_000; i++) s.addRow([i < pending.length ? pending[i] : `99${String(i).padStart(8, '0')}`, '通过', '']);
    });
    const t0 = performance.now();
    const p = await service.call('listImport.preview', { base64, stepId: 'electricity' });
    const t1 = performance.now();
    const applied = await service.call('listImport.apply', { base64, stepId: 'electricity' });
    const t2 = performance.now();
    console.log(
      `50,000-row import (${(base64.length / 1024 / 1024).toFixed(2)} MB base64): preview ${(t1 - t0).toFixed(0)} ms (back end says ${p.elapsedMs} ms), apply ${(t2 - t1).toFixed(0)} ms`,
    );
    expect(p.total).toBe(50_000);
    expect(p.counts.ready).toBe(pending.length);
    expect(p.counts.unknown).toBe(50_000 - pending.length);
    expect(p.rows).toHaveLength(2000);
    expect(p.rows[0]?.verdict).toBe('unknown');
    expect(applied.passed).toBe(pending.length);
    expect(count(`select count(*) as n from step_states where step_id = 'electricity' and status = 'pending'`)).toBe(0);
  }, 180_000);
});
