import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { runCli } from '../../src-server/cli';
import { openDatabase, type Database } from '../../src-server/db/database';
import { devices, rosterChanges, students } from '../../src-server/db/schema';
import { registerDevice } from '../../src-server/auth/devices';
import { DEMO_BATCH_PATH, idCardFor } from '../../src-server/testing/fixtures';
import { BACKENDS, openThrowawayDatabase, type ThrowawayDatabase } from '../../src-server/testing/throwaway-database';

const FLAGS = ['党团员', '国家助学贷款', '生源地贷款', '借用交换机', '暂缓两证'];
const HEADER = ['学号', '姓名', '性别', '学院', '专业', '班级', '宿舍', '身份证号', '往届', ...FLAGS];

type Cell = string | number | null;

/** A roster .xlsx as an administrator's Excel would save it; number cells stay numbers. */
async function writeXlsx(path: string, rows: Cell[][], header: string[] = HEADER): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('花名册');
  sheet.addRow(header);
  for (const row of rows) sheet.addRow(row);
  await workbook.xlsx.writeFile(path);
  return path;
}

function row(studentNo: Cell, serial: number, overrides: Partial<Record<string, Cell>> = {}): Cell[] {
  const base: Record<string, Cell> = {
    学号: studentNo,
    姓名: `学生${serial}`,
    性别: serial % 2 ? '男' : '女',
    学院: '机电工程学院',
    专业: '自动化',
    班级: '23自动化1班',
    宿舍: '16栋-302',
    身份证号: idCardFor(serial),
    往届: '否',
    党团员: '是',
    国家助学贷款: '',
    生源地贷款: '否',
    借用交换机: '',
    暂缓两证: '',
    ...overrides,
  };
  return HEADER.map((h) => base[h] ?? null);
}

describe.each(BACKENDS)('admin CLI on %s', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-cli-'));
  let pg: ThrowawayDatabase | null = null;
  let dbArgs: string[] = [];
  const savedUrl = process.env.DATABASE_URL;

  beforeAll(async () => {
    if (backend === 'postgres') {
      pg = await openThrowawayDatabase('postgres');
      process.env.DATABASE_URL = pg.url!;
    } else {
      delete process.env.DATABASE_URL;
      dbArgs = ['--data-dir', join(dir, 'data')];
    }
  });
  afterAll(async () => {
    if (savedUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = savedUrl;
    await pg?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What the administrator types at the password prompt (the real standard input is tested below, in a child process). */
  let typedPassword = '';
  async function cli(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...dbArgs, ...args], (l) => out.push(l), (l) => err.push(l), async () => typedPassword);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  async function withDb<T>(run: (database: Database) => Promise<T>): Promise<T> {
    const database = backend === 'postgres' ? await openDatabase({ url: pg!.url! }) : await openDatabase({ dataDir: join(dir, 'data') });
    try {
      return await run(database);
    } finally {
      await database.close();
    }
  }

  const studentCount = () => withDb(async (d) => (await d.db.select({ n: count() }).from(students))[0]?.n ?? 0);

  it('prints help, and exits 2 on an unknown command or option', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('import-roster <批次> <花名册.xlsx>');
    expect((await cli('frobnicate')).code).toBe(2);
    const bad = await cli('init', '--frob');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--help');
    const nul = await cli('add-operator', 'T\u0000X', '张三');
    expect(nul.code).toBe(2);
    expect(nul.err).toContain('命令行参数含有不可见的控制字符（第 2 个字符，U+0000）');
  });

  it('initialises the database and creates a batch once', async () => {
    expect((await cli('init')).code).toBe(0);
    const created = await cli('create-batch', DEMO_BATCH_PATH);
    expect(created.code).toBe(0);
    expect(created.out).toContain('已创建批次 2027-bk');
    const again = await cli('create-batch', DEMO_BATCH_PATH);
    expect(again.code).toBe(1);
    expect(again.err).toContain('批次 "2027-bk" 已存在');
    const badFile = join(dir, 'bad.json');
    writeFileSync(badFile, JSON.stringify({ formatVersion: 1, id: 'Bad Id' }));
    const bad = await cli('create-batch', badFile);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('批次定义有误');
  });

  it('writes a roster template with the flag columns and text-formatted 学号 and 身份证号', async () => {
    const out = join(dir, 'template.xlsx');
    expect((await cli('roster-template', '2027-bk', out)).code).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(out);
    const sheet = workbook.worksheets[0]!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(HEADER);
    expect(sheet.getColumn(1).numFmt).toBe('@');
    expect(sheet.getColumn(8).numFmt).toBe('@');
    expect((await cli('roster-template', 'nope', out)).err).toContain('没有编号为 "nope" 的批次');
  });

  it('refuses a roster with bad rows, reporting each row in Chinese and importing nothing', async () => {
    const badCheck = idCardFor(7).slice(0, 17) + (idCardFor(7).endsWith('0') ? '1' : '0');
    const file = await writeXlsx(join(dir, 'bad-rows.xlsx'), [
      row('0312000001', 1),
      row(312000002, 2),
      row('0312000001', 3),
      row('0312000004', 4, { 身份证号: badCheck }),
      row('0312000005', 5, { 性别: '男性', 往届: '也许' }),
      row('0312000006', 6, { 身份证号: 430102199901010061 }),
      row('0312000007', 7, { 身份证号: `${badCheck.slice(0, 16)}Q${badCheck.slice(17)}` }),
    ]);
    const result = await cli('import-roster', '2027-bk', file);
    expect(result.code).toBe(1);
    expect(result.err).toContain('花名册有 6 行有误，未导入任何数据');
    expect(result.err).toContain('第 3 行：学号 312000002 是数字格式的单元格，Excel 可能去掉了开头的 0');
    expect(result.err).toContain('第 4 行：学号 0312000001 与第 2 行重复');
    // A malformed number is shown masked like any other: the last 4, never the region or birth date.
    expect(result.err).toContain(`第 5 行：身份证号「**************${badCheck.slice(-4)}」校验位不正确`);
    expect(result.err).toContain(`第 8 行：身份证号「**************${badCheck.slice(14, 16)}Q${badCheck.slice(-1)}」应为 18 位数字（最后一位可以是 X）`);
    for (const printed of [result.err, result.out]) {
      expect(printed).not.toContain(badCheck.slice(0, 12));
      expect(printed).not.toContain('430102199901010061');
    }
    expect(result.err).toMatch(/第 6 行：「性别」只能是"男"或"女"，不能是「男性」；「往届」只能填"是"或"否"/);
    expect(result.err).toContain('第 7 行：身份证号是数字格式的单元格');
    expect(await studentCount()).toBe(0);
  });

  it('refuses a roster with an unknown or missing flag column', async () => {
    const header = [...HEADER.filter((h) => h !== '借用交换机'), '宿舍电费'];
    const file = await writeXlsx(join(dir, 'bad-header.xlsx'), [row('0312000001', 1)], header);
    const result = await cli('import-roster', '2027-bk', file);
    expect(result.code).toBe(1);
    expect(result.err).toContain('未知的标记列「宿舍电费」');
    expect(result.err).toContain('缺少标记列「借用交换机」');
    expect(await studentCount()).toBe(0);
  });

  it('imports a valid roster, normalising full-width digits and a lower-case x', async () => {
    const withX = (() => {
      for (let serial = 100; ; serial++) if (idCardFor(serial).endsWith('X')) return idCardFor(serial);
    })();
    const file = await writeXlsx(join(dir, 'good.xlsx'), [
      row('０３１２００００１１', 11),
      row('0312000012', 12, { 身份证号: withX.toLowerCase(), 往届: '是', 宿舍: '' }),
    ]);
    const result = await cli('import-roster', '2027-bk', file);
    expect(result.err).toBe('');
    expect(result.out).toContain('已导入 2 名学生');
    const rows = await withDb((d) => d.db.select().from(students).orderBy(students.studentNo));
    expect(rows.map((r) => r.studentNo)).toEqual(['0312000011', '0312000012']);
    expect(rows[1]).toMatchObject({ isPrevious: true, dorm: null, idLast6: withX.slice(-6), idMasked: `**************${withX.slice(-4)}` });
    expect(rows[0]?.flags).toEqual({ 党团员: true, 国家助学贷款: false, 生源地贷款: false, 借用交换机: false, 暂缓两证: false });
    expect(rows.every((r) => /^[0-9a-f]$/.test(r.idHash))).toBe(true);
  });

  it('imports only the valid rows with --skip-invalid and lists the others', async () => {
    const file = await writeXlsx(join(dir, 'mixed.xlsx'), [row('0312000021', 21), row(312000022, 22)]);
    const result = await cli('import-roster', '2027-bk', file, '--skip-invalid');
    expect(result.code).toBe(0);
    expect(result.out).toContain('已导入 1 名学生');
    expect(result.out).toContain('第 3 行：学号 312000022 是数字格式的单元格');
    expect(await studentCount()).toBe(3);
  });

  it('adds operators, grants checkpoints per college, and lists and revokes devices', async () => {
    expect((await cli('add-operator', 'T9')).code).toBe(2);
    const onArgv = await cli('add-operator', 'T9', '王老师', '--password', 'long-enough');
    expect(onArgv).toMatchObject({ code: 2, err: expect.stringContaining('不再接受 --password') });
    typedPassword = 'short';
    expect((await cli('add-operator', 'T9', '王老师')).err).toContain('密码至少需要 8 位');
    typedPassword = 'long-enough';
    expect((await cli('add-operator', 'T9', '王老师')).out).toContain('已添加操作员 T9');
    expect((await cli('grant', 'T9', 'college', '--college', '机电工程学院')).out).toContain('（机电工程学院）');
    expect((await cli('grant', 'T9', 'dorm', '--college', '机电工程学院')).err).toContain('全校离校点，不能按学院授权');
    expect((await cli('grant', 'T0', 'dorm')).err).toContain('没有工号为 "T0" 的操作员');
    expect((await cli('grant', 'T9', 'no-such-checkpoint')).err).toContain('没有任何批次定义了离校点');
    expect((await cli('devices', 'list')).out).toContain('还没有登记任何柜台');
    const { deviceId } = await withDb((d) => registerDevice(d.db, 'T9', '一号柜台', '2027-bk'));
    expect((await cli('devices', 'list')).out).toMatch(new RegExp(`${deviceId}\\s+一号柜台.*使用中`));
    expect((await cli('devices', 'revoke', deviceId)).code).toBe(0);
    expect((await cli('devices', 'revoke', 'nope')).err).toContain('没有编号为 "nope" 的设备');
    const [device] = await withDb((d) => d.db.select().from(devices).where(eq(devices.id, deviceId)));
    expect(device?.revoked).toBe(true);
  });

  it('creates an API key limited to existing steps, and revokes it', async () => {
    const ok = await cli('api-key', 'create', 'library', '图书馆系统', '2027-bk', 'return-books');
    expect(ok.out).toMatch(/密钥（只显示这一次，请妥善保存）：lxk_/);
    expect((await cli('api-key', 'create', 'finance', '财务系统', '2027-bk', 'no-step')).err).toContain('没有这些环节：no-step');
    expect((await cli('api-key', 'revoke', 'library')).out).toContain('已停用接口密钥 library');
    expect((await cli('api-key', 'revoke', 'nope')).code).toBe(1);
  });

  it('withdraws and restores students, and withdraws those a whole-file roster lacks only when confirmed', async () => {
    // Usage and a missing reason are refused before the database is opened.
    expect(await cli('roster-withdraw', '2027-bk', '0312000011')).toMatchObject({ code: 1, err: expect.stringContaining('请用 --reason <原因>') });
    expect(await cli('roster-withdraw', '2027-bk')).toMatchObject({ code: 2 });
    const unknown = await cli('roster-withdraw', '2027-bk', '0312000011', '0399999999', '--reason', '延期毕业');
    expect(unknown).toMatchObject({ code: 1, err: expect.stringContaining('没有以下学号，未做任何改动') });
    expect(unknown.err).toContain('0399999999');

    expect((await cli('roster-withdraw', '2027-bk', '0312000011', '--reason', '延期毕业')).out).toContain('已将 1 名学生退出批次 2027-bk（延期毕业）：0312000011');
    expect((await cli('roster-restore', '2027-bk', '0312000011', '0312000012')).out).toMatch(/已将 1 名学生恢复到批次 2027-bk：0312000011[^]*没有退出本批次，未做改动：0312000012/);

    // The whole roster again, 0312000021 left out and 0312000012 moved to another college.
    const file = await writeXlsx(join(dir, 'whole.xlsx'), [row('0312000011', 11), row('0312000012', 12, { 学院: '计算机学院', 往届: '是', 宿舍: '' })]);
    expect(await cli('import-roster', '2027-bk', file, '--reason', '结业')).toMatchObject({ code: 2, err: expect.stringContaining('--reason 只能与 --withdraw-missing 一起使用') });
    expect(await cli('import-roster', '2027-bk', file, '--withdraw-missing', '--skip-invalid', '--reason', '结业')).toMatchObject({ code: 2 });
    expect(await cli('import-roster', '2027-bk', file, '--withdraw-missing')).toMatchObject({ code: 1, err: expect.stringContaining('请用 --reason <原因>') });
    const preview = await cli('import-roster', '2027-bk', file);
    expect(preview.out).toContain('其中 1 名学生的学院有变动，已同步给各柜台：0312000012');
    expect(preview.out).toContain('花名册中没有以下 1 名学生（仍在批次 2027-bk 中，未做改动）：\n  0312000021  学生21  机电工程学院');
    expect(preview.out).toContain('--withdraw-missing --reason <原因>');
    // Still listed as missing, so the preview withdrew no one.
    const confirmed = await cli('import-roster', '2027-bk', file, '--withdraw-missing', '--reason', '结业');
    expect(confirmed.out).toContain('花名册中没有以下 1 名学生，已按确认将其退出本批次：\n  0312000021');

    const { rows, changes } = await withDb(async (d) => ({
      rows: await d.db.select().from(students).orderBy(students.studentNo),
      changes: await d.db.select().from(rosterChanges).orderBy(rosterChanges.id),
    }));
    expect(rows.map((r) => [r.studentNo, r.college, r.withdrawnReason])).toEqual([
      ['0312000011', '机电工程学院', null],
      ['0312000012', '计算机学院', null],
      ['0312000021', '机电工程学院', '结业'],
    ]);
    expect(rows[2]).toMatchObject({ withdrawnBy: expect.stringMatching(/^命令行:/), withdrawnAt: expect.any(String) });
    expect(changes.map((c) => [c.studentNo, c.kind, c.fromCollege, c.toCollege, c.reason])).toEqual([
      ['0312000011', 'withdraw', null, null, '延期毕业'],
      ['0312000011', 'restore', null, null, null],
      ['0312000012', 'college', '机电工程学院', '计算机学院', null],
      ['0312000021', 'withdraw', null, null, '结业'],
    ]);
    expect(changes.every((c) => c.changedBy.startsWith('命令行:') && c.seq > 0)).toBe(true);
  });
});
