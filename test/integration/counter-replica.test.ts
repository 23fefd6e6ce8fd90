import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateRoster } from '../../src-shared/demo/roster';
import { parseBatchDefinitionText } from '../../src-shared/domain/batch-definition';
import type { RosterStudent } from '../../src-shared/domain/types';
import { idCardCheckDigit } from '../../src-shared/scan/classify';
import { createReplica, openReplica, ReplicaError, type Replica } from '../../src-main/db';
import { storedIdHash } from '../../src-main/db/id-hash';
import { latestVersion } from '../../src-main/db/migrate';
import { MIGRATIONS } from '../../src-main/db/migrations';
import { createCounterService } from '../../src-main/counter/service';

const batch = parseBatchDefinitionText(readFileSync(join(__dirname, '../../resources/demo-batch.json'), 'utf8'));
const session = { deviceId: 'counter-1', operator: { id: 'op-1', name: '王老师' }, grants: [{ checkpointId: 'dorm', colleges: 'all' as const }] };

function idCard(n: number): string {
  const first17 = `43010220030101${String(n).padStart(3, '0')}`;
  return first17 + idCardCheckDigit(first17);
}

function student(studentNo: string, n: number, over: Partial<RosterStudent> = {}): RosterStudent {
  return {
    studentNo,
    name: '李明',
    gender: '男',
    college: '机电工程学院',
    major: '自动化',
    className: '23自动化1班',
    dorm: '1区-1栋-1层-0101',
    idCard: idCard(n),
    isPrevious: false,
    flags: {},
    ...over,
  };
}

let dir: string;
const open: Replica[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lixiao-replica-'));
});
afterEach(() => {
  for (const r of open.splice(0)) if (r.sqlite.open) r.close();
});

function create(name: string, roster: RosterStudent[], initial = [] as Parameters<typeof createReplica>[3]): Replica {
  const r = createReplica(join(dir, name), batch, roster, initial, session);
  open.push(r);
  return r;
}

function errorOf(fn: () => unknown): ReplicaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ReplicaError);
    return e as ReplicaError;
  }
  throw new Error('expected a ReplicaError');
}

describe('migrations and pragmas', () => {
  it('bundles exactly the reviewed drizzle-kit output, versions 1..n', () => {
    const journal = JSON.parse(readFileSync(join(__dirname, '../../src-main/db/drizzle/meta/_journal.json'), 'utf8')) as {
      entries: { idx: number; tag: string }[];
    };
    expect(MIGRATIONS.map((m) => m.version)).toEqual(journal.entries.map((e) => e.idx + 1));
    for (const entry of journal.entries) {
      // By version, not position: migrations reserved by parallel work may leave a gap until merged.
      const m = MIGRATIONS.find((migration) => migration.version === entry.idx + 1);
      expect(m?.name).toBe(entry.tag);
      expect(m?.sql).toBe(readFileSync(join(__dirname, `../../src-main/db/drizzle/${entry.tag}.sql`), 'utf8'));
    }
  });

  it('creates the schema, sets user_version, WAL, synchronous=FULL and foreign keys', () => {
    const r = create('a.db', [student('0301010101', 1)]);
    expect(r.sqlite.pragma('user_version', { simple: true })).toBe(latestVersion());
    expect(r.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(r.sqlite.pragma('synchronous', { simple: true })).toBe(2);
    expect(r.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(Number(r.sqlite.pragma('busy_timeout', { simple: true }))).toBeGreaterThan(0);
    r.close();
    const again = openReplica(join(dir, 'a.db'));
    open.push(again);
    expect(again.sqlite.pragma('synchronous', { simple: true })).toBe(2);
    expect(again.batch.def.id).toBe(batch.id);
  });

  it('refuses a database from a newer build and leaves the file untouched', () => {
    const path = join(dir, 'new.db');
    const raw = new Database(path);
    raw.exec('create table future (x)');
    raw.pragma(`user_version = ${latestVersion() + 2}`);
    raw.close();
    const before = readFileSync(path);
    const e = errorOf(() => openReplica(path));
    expect(e.message).toBe(
      `数据库文件来自更新版本的离校办理台（版本 ${latestVersion() + 2}，本程序支持到 ${latestVersion()}），请升级本程序后再打开`,
    );
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('names the path when it cannot be opened', () => {
    const missingDir = join(dir, 'nope', 'x.db');
    expect(errorOf(() => openReplica(missingDir)).message).toBe(`无法打开数据库文件 ${missingDir}：文件夹 ${join(dir, 'nope')} 不存在`);
    const missing = join(dir, 'missing.db');
    expect(errorOf(() => openReplica(missing)).message).toBe(`无法打开数据库文件 ${missing}：文件不存在`);
    const folder = join(dir, 'folder.db');
    mkdirSync(folder);
    expect(errorOf(() => openReplica(folder)).message).toContain(`无法打开数据库文件 ${folder}：这是一个文件夹`);
    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, 'this is not a database at all, just text that is long enough '.repeat(20));
    expect(errorOf(() => openReplica(garbage)).message).toBe(`无法打开数据库文件 ${garbage}：该文件不是离校办理台的数据库，或已经损坏`);
  });
});

describe('createReplica', () => {
  it('writes a step state for every (student, step): na where it does not apply, initial states kept', () => {
    const r = create('a.db', [student('0301010101', 1, { flags: { 党团员: true } }), student('0301010102', 2)], [
      { studentNo: '0301010101', stepId: 'return-books', status: 'passed' },
      { studentNo: '0301010102', stepId: 'repay-debt', status: 'rejected', note: '欠缴住宿费' },
    ]);
    const rows = r.sqlite.prepare('select student_no, step_id, status, note, version from step_states').all() as {
      student_no: string;
      step_id: string;
      status: string;
      note: string;
    }[];
    expect(rows).toHaveLength(2 * 16);
    const of = (no: string, step: string) => rows.find((x) => x.student_no === no && x.step_id === step);
    expect(of('0301010101', 'party-transfer')?.status).toBe('pending');
    expect(of('0301010102', 'party-transfer')?.status).toBe('na');
    expect(of('0301010101', 'national-loan')?.status).toBe('na');
    expect(of('0301010101', 'return-books')?.status).toBe('passed');
    expect(of('0301010102', 'repay-debt')).toMatchObject({ status: 'rejected', note: '欠缴住宿费' });
  });

  it('keeps only one hex digit of a keyed hash, the last four and the last six of the 身份证号; the key beside the file, mode 0600', () => {
    const r = create('a.db', [student('0301010101', 7)]);
    const row = r.sqlite.prepare('select * from students').get() as Record<string, string>;
    expect(r.sqlite.prepare("select value from meta where key = 'idHashKey'").get()).toBeUndefined();
    const key = readFileSync(`${r.path}.idkey`, 'utf8');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(`${r.path}.idkey`).mode & 0o777).toBe(0o600);
    expect(row['id_hash']).toBe(storedIdHash(key, idCard(7)));
    expect(row['id_hash']).toMatch(/^[0-9a-f]$/);
    expect(row['id_masked']).toBe(`**************${idCard(7).slice(-4)}`);
    expect(row['id_last6']).toBe(idCard(7).slice(-6));
    expect(JSON.stringify(row)).not.toContain(idCard(7));
  });

  it('lists every bad roster row in Chinese and writes nothing', () => {
    const path = join(dir, 'bad.db');
    const roster = [
      student('0301010101', 1),
      student('0301010101', 2),
      student('0301010103', 3, { idCard: '430102200301010010' }),
      student('0301010104', 4, { flags: { 党团员: true, 挂科: true } }),
    ];
    const e = errorOf(() =>
      createReplica(path, batch, roster, [{ studentNo: '0301010199', stepId: 'return-books', status: 'passed' }], session),
    );
    expect(e.problems).toEqual([
      '第 2 行（学号 0301010101）：学号与第 1 行重复',
      '第 3 行（学号 0301010103）：身份证号 **************0010 无效（应为 18 位，校验位正确）',
      '第 4 行（学号 0301010104）：批次中没有这些标记列：挂科',
      '初始状态第 1 项（学号 0301010199，环节 return-books）：花名册中没有这个学号',
    ]);
    expect(e.message).toContain('花名册有 4 处问题，没有写入任何数据');
    expect(existsSync(path)).toBe(false);
  });

  it('refuses an initial state for a step that does not apply, and an existing file', () => {
    const e = errorOf(() =>
      createReplica(join(dir, 'x.db'), batch, [student('0301010101', 1)], [{ studentNo: '0301010101', stepId: 'party-transfer', status: 'passed' }], session),
    );
    expect(e.problems[0]).toContain('该学生无需办理此环节');
    create('a.db', [student('0301010101', 1)]);
    expect(errorOf(() => createReplica(join(dir, 'a.db'), batch, [], [], session)).message).toContain('已存在');
  });

  it('refuses a session for a checkpoint the batch does not have', () => {
    const bad = { ...session, grants: [{ checkpointId: 'canteen', colleges: 'all' as const }] };
    expect(errorOf(() => createReplica(join(dir, 'x.db'), batch, [], [], bad)).message).toContain('canteen');
    expect(existsSync(join(dir, 'x.db'))).toBe(false);
  });

  // How fast: `npm run bench -- counter` prints the load and every call below at 20,000; a test only checks answers.
  it('loads 20,000 students in one transaction, and the desk finds any of them by 学号, 身份证号 and name', () => {
    const { students, initial } = generateRoster(batch, { seed: 11, size: 20_000 });
    const r = create('big.db', students, initial);
    expect((r.sqlite.prepare('select count(*) as n from step_states').get() as { n: number }).n).toBe(20_000 * 16);

    const service = createCounterService(r);
    service.call('session.setCheckpoint', { checkpointId: 'dorm' });
    const sample = students[12_345] as RosterStudent;
    for (const text of [sample.studentNo, sample.idCard, sample.name]) {
      expect(service.call('students.lookup', { text }).students.map((s) => s.studentNo)).toContain(sample.studentNo);
    }
    expect(service.call('students.detail', { studentNo: sample.studentNo }).student.studentNo).toBe(sample.studentNo);
    const queue = service.call('students.search', { prereq: 'done', current: 'notDone', limit: 100 });
    expect(queue.rows.length).toBe(Math.min(100, queue.total));
    expect(service.call('stats.checkpoint', {}).school.total).toBe(students.filter((s) => !s.isPrevious).length);
  }, 120_000);
});
