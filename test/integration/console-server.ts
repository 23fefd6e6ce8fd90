import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq, isNull } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { Op, OpKind } from '../../src-shared/contract/ops';
import { registerDeviceResponseSchema, pushResponseSchema, errorResponseSchema } from '../../src-shared/contract/sync';
import { consoleRoutes, type ConsoleMethod, type ProgressView, type RosterPreview } from '../../src-shared/contract/console-api';
import { mayUse, type ConsoleRole } from '../../src-shared/domain/console-roles';
import { BatchIndex } from '../../src-shared/domain/batch';
import { isStudentComplete } from '../../src-shared/domain/gate';
import type { BatchDef, StepStatus } from '../../src-shared/domain/types';
import { rosterRow, rosterWorkbookBytes } from '../../src-server/testing/roster-workbook';
import { changeStandingOf } from '../../src-server/admin/roster-withdrawal';
import { consoleLog, operators, ops, stepStates, students } from '../../src-server/db/schema';
import { PASSWORD, registrationCode } from '../../src-server/testing/fixtures';
import { CONSOLE_ACCOUNTS, CS_CLASSES, seedConsoleWorld } from '../../src-server/testing/console-fixtures';
import { startTestServer, type TestServer } from '../../src-server/testing/test-server';
import type { Backend } from '../../src-server/testing/throwaway-database';

/**
 * The campus console's API, run once per engine (console-server-pglite / -postgres.test.ts, one
 * file each so neither nears the file budget): who may call what, the dashboard's figures while
 * counters sync, disabled operators, grants, roster upload.
 */

type Who = ConsoleRole | 'anonymous';
const ACCOUNT_OF: Record<ConsoleRole, string> = { admin: CONSOLE_ACCOUNTS.admin, leader: CONSOLE_ACCOUNTS.schoolLeader, operator: CONSOLE_ACCOUNTS.operator };

export function consoleServerSuite(backend: Backend): void {
  describe(`console API on ${backend}`, () => {
    let server: TestServer;
    let batchId: string;
    let def: BatchDef;

    beforeAll(async () => {
      server = await startTestServer(backend, { loginLimits: { freePerAddress: 1e6, freePerOperatorAtAddress: 1e6, freePerOperator: 1e6 } });
      ({ batchId } = await seedConsoleWorld(server.database.db, server.batches));
      def = (await server.batches.get(server.database.db, batchId))!.def;
      oneStudentFile = (await rosterWorkbookBytes(def, [rosterRow(def, '2023100001', '计算机学院', CS_CLASSES[1], 101)])).toString('base64');
    });
    afterAll(async () => {
      await server?.close();
    });

    async function post(path: string, body: unknown, cookie?: string) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (cookie) headers.cookie = cookie;
      const res = await fetch(`${server.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as unknown) : null };
    }

    async function signIn(operatorNo: string, password = PASSWORD): Promise<string> {
      const res = await post('/console/api/session.signIn', { operatorNo, password });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      const cookie = res.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      return cookie.split(';')[0]!;
    }

    function consoleCall<M extends ConsoleMethod>(method: M, input: unknown, cookie?: string) {
      return post(`/console/api/${method}`, input, cookie);
    }

    async function progress(cookie: string, drill: { college?: string; className?: string } = {}): Promise<ProgressView> {
      const res = await consoleCall('progress.get', { batchId, ...drill }, cookie);
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      return res.json as ProgressView;
    }

    async function register(operatorNo: string) {
      const res = await fetch(`${server.url}/api/devices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ operatorNo, password: PASSWORD, name: `柜台-${operatorNo}`, batchId, registrationCode: await registrationCode(server.database.db) }),
      });
      expect(res.status).toBe(201);
      const device = registerDeviceResponseSchema.parse(await res.json());
      let next = 1;
      return {
        op(kind: OpKind, studentNo: string, stepId: string, operatorId = operatorNo): Op {
          return {
            opId: uuidv7(),
            deviceId: device.deviceId,
            deviceSeq: next++,
            operatorId,
            kind,
            studentNo,
            stepId,
            args: { note: '' },
            base: { version: 0 },
            clientTime: new Date().toISOString(),
          };
        },
        async push(list: Op[]) {
          const r = await fetch(`${server.url}/api/sync/push`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` },
            body: JSON.stringify({ ops: list }),
          });
          expect(r.status).toBe(200);
          return pushResponseSchema.parse(await r.json());
        },
      };
    }

    /** One valid input per method; those that write touch T-CERT or a new operator only. */
    const SAMPLE: Record<ConsoleMethod, () => unknown> = {
      'session.signIn': () => ({ operatorNo: CONSOLE_ACCOUNTS.schoolLeader, password: PASSWORD }),
      'session.get': () => ({}),
      'session.signOut': () => ({}),
      // A wrong current password: the handler is reached (400), the password stays.
      'session.changePassword': () => ({ currentPassword: 'wrong-password', newPassword: 'another-pass-2' }),
      'progress.batches': () => ({}),
      'progress.get': () => ({ batchId }),
      'operators.list': () => ({ query: 'T-' }),
      'operators.create': () => ({ operatorNo: 'N-NEW', name: '新老师', password: 'new-pass-123' }),
      'operators.setDisabled': () => ({ operatorNo: 'T-CERT', disabled: false }),
      'operators.resetPassword': () => ({ operatorNo: 'T-CERT', password: PASSWORD }),
      'operators.grant': () => ({ operatorNo: 'T-CERT', checkpointId: 'library', colleges: [] }),
      'operators.revokeGrant': () => ({ operatorNo: 'T-CERT', checkpointId: 'library' }),
      'roster.template': () => ({ batchId }),
      'roster.preview': () => ({ batchId, fileName: 'one.xlsx', content: oneStudentFile }),
      // Re-imports a student already there, unchanged: the batch's others are only listed as missing.
      'roster.apply': () => ({ batchId, fileName: 'one.xlsx', content: oneStudentFile, skipInvalid: false }),
    };
    let oneStudentFile = '';

    it('answers every route × role as the shared rule says: 401 signed out, 403 wrong role, and a refused call writes nothing', async () => {
      const methods = Object.keys(consoleRoutes) as ConsoleMethod[];
      expect(Object.keys(SAMPLE).sort()).toEqual([...methods].sort());
      const logRows = async () => (await server.database.db.select({ n: count() }).from(consoleLog))[0]!.n;
      const operatorRows = async () => (await server.database.db.select({ n: count() }).from(operators))[0]!.n;
      const table: string[] = [];
      let allowedWrites = 0;
      const sessions: Partial<Record<ConsoleRole, string>> = {};
      for (const method of methods) {
        const access = consoleRoutes[method].access;
        const cells: string[] = [];
        for (const who of ['anonymous', 'operator', 'leader', 'admin'] as Who[]) {
          const cookie = who === 'anonymous' ? undefined : (sessions[who] ??= await signIn(ACCOUNT_OF[who]));
          // session.signOut ends the session it is called with; the next cell signs in again.
          if (method === 'session.signOut') delete sessions[who as ConsoleRole];
          const [logBefore, operatorsBefore] = [await logRows(), await operatorRows()];
          const res = await consoleCall(method, SAMPLE[method](), cookie);
          cells.push(`${who}:${res.status}`);
          const allowed = mayUse(who === 'anonymous' ? null : who, access);
          if (!allowed) {
            expect(res.status, `${method} as ${who}`).toBe(who === 'anonymous' ? 401 : 403);
            expect(errorResponseSchema.parse(res.json).error.message).toMatch(/[\u4e00-\u9fff]/);
            expect([await logRows(), await operatorRows()], `${method} as ${who} wrote`).toEqual([logBefore, operatorsBefore]);
          } else if (method === 'session.changePassword') {
            expect(res.status).toBe(400);
            expect(errorResponseSchema.parse(res.json).error.message).toBe('当前密码不正确，密码未修改');
          } else {
            expect(res.status, `${method} as ${who}: ${JSON.stringify(res.json)}`).toBe(200);
            if (['operators.create', 'operators.setDisabled', 'operators.resetPassword', 'operators.grant', 'operators.revokeGrant', 'roster.apply'].includes(method)) allowedWrites++;
          }
        }
        table.push(`${method.padEnd(26)} ${access.padEnd(9)} ${cells.join('  ')}`);
      }
      console.log(`[console routes × roles, ${backend}]\n${table.join('\n')}`);
      // Each admin change left exactly one 操作日志 line.
      const actions = (await server.database.db.select({ action: consoleLog.action }).from(consoleLog)).map((r) => r.action);
      expect(actions.filter((a) => a !== '修改本人密码')).toHaveLength(allowedWrites);
    });

    it('refuses a leader every write even with a forged body, and a bad input in Chinese naming the field', async () => {
      const leader = await signIn(CONSOLE_ACCOUNTS.collegeLeader);
      const res = await consoleCall('operators.setDisabled', { operatorNo: CONSOLE_ACCOUNTS.admin, disabled: true }, leader);
      expect(res.status).toBe(403);
      const admin = await signIn(CONSOLE_ACCOUNTS.admin);
      const bad = await consoleCall('operators.create', { operatorNo: 'X 1', name: '', password: 'short' }, admin);
      expect(bad.status).toBe(400);
      const message = errorResponseSchema.parse(bad.json).error.message;
      expect(message).toContain('新密码至少需要 8 位');
      expect(message).toContain('姓名');
      const unknownCookie = await consoleCall('session.get', {}, 'lxc_session=lxc_forged');
      expect(unknownCookie.status).toBe(401);
    });

    /** The figures a plain read of the tables gives, with the shared completion rule per student. */
    async function recount(filter: (s: { college: string; className: string }) => boolean) {
      const db = server.database.db;
      const batch = (await server.batches.get(db, batchId))!;
      const index = new BatchIndex(batch.def);
      const rows = await db.select().from(students).where(and(eq(students.batchId, batchId), isNull(students.withdrawnReason)));
      const states = await db.select().from(stepStates).where(eq(stepStates.batchId, batchId));
      const byStudent = new Map<string, Map<string, StepStatus>>();
      for (const s of states) {
        const m = byStudent.get(s.studentNo) ?? new Map<string, StepStatus>();
        m.set(s.stepId, s.status);
        byStudent.set(s.studentNo, m);
      }
      const mine = rows.filter(filter);
      const completed = mine.filter((s) => isStudentComplete(index, { student: s, status: byStudent.get(s.studentNo) ?? new Map(), lifted: new Set() })).length;
      const passedDorm = mine.filter((s) => byStudent.get(s.studentNo)?.get('dorm-clearance') === 'passed').length;
      return { total: mine.length, completed, unfinished: mine.length - completed, previous: mine.filter((s) => s.isPrevious).length, passedDorm };
    }

    it('counts what the tables hold while two counters push, a student is withdrawn and restored (dashboard read between every push)', async () => {
      const leader = await signIn(CONSOLE_ACCOUNTS.schoolLeader);
      const first = await progress(leader);
      const dormCounter = await register('T-DORM');
      const affairsCounter = await register('T-STU');
      const all = (await server.database.db.select({ no: students.studentNo }).from(students).where(eq(students.batchId, batchId))).map((r) => r.no).sort();
      const pushes: Promise<unknown>[] = [];
      const reads: Promise<ProgressView>[] = [];
      // Each device pushes its slices in order; the two devices and the dashboard reads run at the same time.
      let dormChain: Promise<unknown> = Promise.resolve();
      let affairsChain: Promise<unknown> = Promise.resolve();
      for (let i = 0; i < all.length; i += 8) {
        const slice = all.slice(i, i + 8);
        const dormOps = slice.map((no) => dormCounter.op('pass', no, 'dorm-clearance'));
        const affairsOps = slice.map((no) => affairsCounter.op('pass', no, 'return-student-card'));
        dormChain = dormChain.then(() => dormCounter.push(dormOps));
        affairsChain = affairsChain.then(() => affairsCounter.push(affairsOps));
        pushes.push(dormChain, affairsChain);
        reads.push(progress(leader));
      }
      await Promise.all([...pushes, ...reads]);
      const withdrawn = all[5]!;
      await changeStandingOf(server.database.db, batchId, [withdrawn], { kind: 'withdraw', reason: '延期毕业' }, '测试');
      const afterWithdraw = await progress(leader);
      const expected = await recount(() => true);
      expect(afterWithdraw.line).toEqual({ total: expected.total, completed: expected.completed, unfinished: expected.unfinished, previous: expected.previous });
      expect(afterWithdraw.line.total).toBe(first.line.total - 1);
      const dorm = afterWithdraw.checkpoints.find((c) => c.id === 'dorm')!.steps[0]!;
      expect(dorm.passed).toBe(expected.passedDorm);
      expect(dorm.passed).toBe(all.length - 1);
      expect(afterWithdraw.seq).toBeGreaterThan(first.seq);

      await changeStandingOf(server.database.db, batchId, [withdrawn], { kind: 'restore' }, '测试');
      const restored = await progress(leader);
      expect(restored.line.total).toBe(first.line.total);
      // The restored student comes back with the pass recorded before the withdrawal.
      expect(restored.checkpoints.find((c) => c.id === 'dorm')!.steps[0]!.passed).toBe(all.length);
      const schoolRecount = await recount(() => true);
      expect(restored.line.completed).toBe(schoolRecount.completed);
      expect(restored.groups.level).toBe('colleges');
      expect(restored.groups.rows.map((r) => r.name).sort()).toEqual(['机电工程学院', '计算机学院']);
      expect(restored.groups.rows.reduce((n, r) => n + r.line.total, 0)).toBe(restored.line.total);
    });

    it('shows a college leader only their college, a class leader only their class with its unfinished students, and refuses drilling outside', async () => {
      const college = await signIn(CONSOLE_ACCOUNTS.collegeLeader);
      const view = await progress(college);
      const cs = await recount((s) => s.college === '计算机学院');
      expect(view.line.total).toBe(cs.total);
      expect(view.groups.rows.map((r) => r.name)).toEqual(['计算机学院']);
      const classes = await progress(college, { college: '计算机学院' });
      expect(classes.groups.level).toBe('classes');
      expect(classes.groups.rows.map((r) => r.name)).toEqual([...CS_CLASSES].sort((a, b) => a.localeCompare(b, 'zh-CN')));
      const outside = await consoleCall('progress.get', { batchId, college: '机电工程学院' }, college);
      expect(outside.status).toBe(403);
      expect(errorResponseSchema.parse(outside.json).error.message).toBe('「机电工程学院」不在您的查看范围内');

      const teacher = await signIn(CONSOLE_ACCOUNTS.classLeader);
      const own = await progress(teacher);
      const cls = await recount((s) => s.college === '计算机学院' && s.className === CS_CLASSES[1]);
      expect(own.line.total).toBe(cls.total);
      const oneClass = await progress(teacher, { college: '计算机学院', className: CS_CLASSES[1] });
      expect(oneClass.unfinished).toHaveLength(cls.unfinished);
      expect(oneClass.unfinished.length).toBeGreaterThan(0);
      expect(oneClass.unfinished[0]!.missing.some((m) => m.startsWith('计算机学院离校点：'))).toBe(true);
      const otherClass = await consoleCall('progress.get', { batchId, college: '计算机学院', className: CS_CLASSES[0] }, teacher);
      expect(otherClass.status).toBe(403);
    });

    it('a disabled operator can sign in nowhere and their ops are refused and kept; enabled again, they work', async () => {
      const counter = await register('T-CERT');
      const admin = await signIn(CONSOLE_ACCOUNTS.admin);
      const disabled = await consoleCall('operators.setDisabled', { operatorNo: 'T-CERT', disabled: true }, admin);
      expect(disabled.status).toBe(200);
      expect((disabled.json as { disabled: boolean }).disabled).toBe(true);

      const refused = await counter.push([counter.op('pass', '2023000003', 'degree-cert')]);
      expect(refused.results[0]!.outcome).toBe('rejected');
      expect(refused.results[0]!.reason).toBe('操作员 T-CERT 已被管理员停用，此操作未生效；请换一位操作员登录后重新办理');
      const [kept] = await server.database.db.select().from(ops).where(eq(ops.opId, refused.results[0]!.opId));
      expect(kept?.outcome).toBe('rejected');

      const login = await fetch(`${server.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ operatorNo: 'T-CERT', password: PASSWORD }),
      });
      expect(login.status).toBe(403);
      expect(errorResponseSchema.parse(await login.json()).error.message).toBe('此工号已被管理员停用，请联系离校办');
      const consoleSignIn = await consoleCall('session.signIn', { operatorNo: 'T-CERT', password: PASSWORD });
      expect(consoleSignIn.status).toBe(403);

      expect((await consoleCall('operators.setDisabled', { operatorNo: 'T-CERT', disabled: false }, admin)).status).toBe(200);
      const accepted = await counter.push([counter.op('revoke', '2023000003', 'degree-cert')]);
      expect(accepted.results[0]!.reason ?? '').not.toContain('停用');
      const log = (await server.database.db.select().from(consoleLog).where(eq(consoleLog.by, CONSOLE_ACCOUNTS.admin))).map((r) => `${r.action} ${r.detail}`);
      expect(log).toContain('停用操作员 T-CERT 证件老师');
      expect(log).toContain('启用操作员 T-CERT 证件老师');
    });

    it('grants and revokes through the console reach the apply path at once', async () => {
      const admin = await signIn(CONSOLE_ACCOUNTS.admin);
      const created = await consoleCall('operators.create', { operatorNo: 'N-NET', name: '网络中心老师', password: 'net-pass-123' }, admin);
      expect(created.status).toBe(200);
      const duplicate = await consoleCall('operators.create', { operatorNo: 'N-NET', name: '重复', password: 'net-pass-123' }, admin);
      expect(duplicate.status).toBe(409);
      const granted = await consoleCall('operators.grant', { operatorNo: 'N-NET', checkpointId: 'utilities', colleges: [] }, admin);
      expect((granted.json as { grants: { checkpointName: string }[] }).grants.map((g) => g.checkpointName)).toEqual(['水电通信中心离校点']);
      const collegeOnSchool = await consoleCall('operators.grant', { operatorNo: 'N-NET', checkpointId: 'utilities', colleges: ['计算机学院'] }, admin);
      expect(collegeOnSchool.status).toBe(400);
      expect(errorResponseSchema.parse(collegeOnSchool.json).error.message).toContain('全校离校点');
      const res = await fetch(`${server.url}/api/devices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ operatorNo: 'N-NET', password: 'net-pass-123', name: '网络柜台', batchId, registrationCode: await registrationCode(server.database.db) }),
      });
      expect(res.status).toBe(201);
      const revoked = await consoleCall('operators.revokeGrant', { operatorNo: 'N-NET', checkpointId: 'utilities' }, admin);
      expect((revoked.json as { grants: unknown[] }).grants).toEqual([]);
      const again = await fetch(`${server.url}/api/devices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ operatorNo: 'N-NET', password: 'net-pass-123', name: '网络柜台2', batchId, registrationCode: await registrationCode(server.database.db) }),
      });
      expect(again.status).toBe(403);
    });

    it('previews an uploaded roster row by row in Chinese, refuses it whole, imports it fixed, moves a student and withdraws the missing on confirmation', async () => {
      const admin = await signIn(CONSOLE_ACCOUNTS.admin);
      const leader = await signIn(CONSOLE_ACCOUNTS.schoolLeader);
      const before = await progress(leader);
      const template = await consoleCall('roster.template', { batchId }, admin);
      expect(template.status).toBe(200);
      expect((template.json as { fileName: string }).fileName).toMatch(/花名册模板\.xlsx$/);

      const numberCell = rosterRow(def, '2023200001', '计算机学院', CS_CLASSES[0], 201);
      numberCell[0] = 2023200001;
      const badId = rosterRow(def, '2023200002', '计算机学院', CS_CLASSES[0], 202);
      badId[7] = '430102199901010071';
      const good = rosterRow(def, '2023200003', '机电工程学院', '机电工程学院1班', 203);
      const mover = rosterRow(def, '2023000001', '机电工程学院', '机电工程学院1班', 1);
      const file = async (rows: (string | number | null)[][]) => (await rosterWorkbookBytes(def, rows)).toString('base64');

      const withMistakes = await file([numberCell, badId, good, mover]);
      const preview = await consoleCall('roster.preview', { batchId, fileName: '花名册.xlsx', content: withMistakes }, admin);
      expect(preview.status).toBe(200);
      const report = preview.json as RosterPreview;
      expect(report.rowProblems).toHaveLength(2);
      expect(report.rowProblems[0]).toMatch(/^第 2 行：学号 2023200001 是数字格式的单元格/);
      expect(report.rowProblems[1]).toMatch(/^第 3 行：身份证号「\*{14}0071」校验位不正确/);
      expect(report).toMatchObject({ valid: 2, added: 1, updated: 1, moved: [{ studentNo: '2023000001', from: '计算机学院', to: '机电工程学院' }] });
      expect(report.missing.length).toBe(before.line.total - 1);

      const refused = await consoleCall('roster.apply', { batchId, fileName: '花名册.xlsx', content: withMistakes, skipInvalid: false }, admin);
      expect(refused.status).toBe(400);
      expect(errorResponseSchema.parse(refused.json).error.message).toContain('花名册有 2 行有误，未导入任何数据');
      expect((await progress(leader)).line.total).toBe(before.line.total);
      const notWhole = await consoleCall('roster.apply', { batchId, fileName: '花名册.xlsx', content: withMistakes, skipInvalid: true, withdrawMissingReason: '延期毕业' }, admin);
      expect(notWhole.status).toBe(400);

      // An .xls begins with the OLE2 compound-file signature; the server names the format and how to save it as .xlsx.
      const xls = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]);
      const notXlsx = await consoleCall('roster.preview', { batchId, fileName: '名单.xls', content: xls.toString('base64') }, admin);
      expect(errorResponseSchema.parse(notXlsx.json).error.message).toBe(
        '「名单.xls」：这是旧版 Excel 97-2003 (.xls) 文件，无法直接读取：请在 Excel 或 WPS 中打开，“另存为”选择“Excel 工作簿 (.xlsx)”后再导入',
      );

      numberCell[0] = '2023200001';
      badId[7] = rosterRow(def, '2023200002', '计算机学院', CS_CLASSES[0], 202)[7]!;
      const everyone = (await server.database.db.select({ no: students.studentNo }).from(students).where(eq(students.batchId, batchId))).map((r) => r.no);
      const keep = everyone.filter((no) => no !== '2023100004' && no !== '2023000001');
      const keptRows = keep.map((no, i) => {
        const s = rosterRow(def, no, '计算机学院', CS_CLASSES[0], 500 + i);
        return s;
      });
      const fixed = await file([numberCell, badId, good, mover, ...keptRows]);
      const applied = await consoleCall('roster.apply', { batchId, fileName: '花名册.xlsx', content: fixed, skipInvalid: false, withdrawMissingReason: '延期毕业' }, admin);
      expect(applied.status, JSON.stringify(applied.json)).toBe(200);
      expect(applied.json).toMatchObject({ moved: expect.arrayContaining(['2023000001']), withdrawn: ['2023100004'], skipped: [] });
      const after = await progress(leader);
      // Three new students, one withdrawn.
      expect(after.line.total).toBe(before.line.total + 3 - 1);
      const [withdrawn] = await server.database.db.select().from(students).where(and(eq(students.batchId, batchId), eq(students.studentNo, '2023100004')));
      expect(withdrawn?.withdrawnBy).toBe(`控制台:${CONSOLE_ACCOUNTS.admin}`);
      const log = (await server.database.db.select().from(consoleLog).where(eq(consoleLog.action, '导入花名册'))).map((r) => r.detail);
      expect(log.some((d) => d.includes('1 名退出（延期毕业）'))).toBe(true);
    });
  });
}
