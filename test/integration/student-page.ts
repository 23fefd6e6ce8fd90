import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { studentRoutes, type StudentMethod, type StudentStatus } from '../../src-shared/contract/student-api';
import { studentPasswords, studentSessions } from '../../src-server/db/schema';
import { STUDENT_LOCK_AFTER, STUDENT_LOCK_SECONDS } from '../../src-server/student-auth/student-limits';
import { slipCodeOf } from '../../src-server/student-slip/slip-pdf';
import { registrationCode } from '../../src-server/testing/fixtures';
import { registerTestCounter, seedStudentWorld, type TestStudent } from '../../src-server/testing/student-fixtures';
import { startTestServer, type TestServer } from '../../src-server/testing/test-server';
import type { Backend } from '../../src-server/testing/throwaway-database';

/**
 * The student page's API on one engine (student-page-pglite / -postgres.test.ts): sign-in by
 * 学号 + last 6 and by an own password, reset, waits and the lock (on a clock the test moves),
 * answers that never tell a real 学号 from a made-up one, the student's own status judged by the
 * gates, live events when a counter pushes, the 离校单 PDF, and no route giving A's session B's data.
 */
export function studentPageSuite(backend: Backend): void {
  describe(`student page API on ${backend}`, () => {
    let server: TestServer;
    let batchId: string;
    let a: TestStudent;
    let b: TestStudent;
    let c: TestStudent;
    let clock = Date.parse('2027-06-21T02:00:00Z');

    beforeAll(async () => {
      server = await startTestServer(backend, { now: () => new Date(clock) });
      ({ batchId, a, b, c } = await seedStudentWorld(server.database.db, server.batches));
    });
    afterAll(async () => {
      await server?.close();
    });

    async function post(method: StudentMethod | string, body: unknown, cookie?: string) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (cookie) headers.cookie = cookie;
      const res = await fetch(`${server.url}/student/api/${method}`, { method: 'POST', headers, body: JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
    }

    const message = (r: { json: Record<string, unknown> | null }) => (r.json?.error as { message: string } | undefined)?.message;

    async function signIn(studentNo: string, secret: string): Promise<string> {
      const res = await post('session.signIn', { studentNo, secret });
      expect(res.status, res.text).toBe(200);
      const cookie = res.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toMatch(/Path=\/student/);
      return cookie.split(';')[0]!;
    }

    async function status(cookie: string): Promise<StudentStatus> {
      const res = await post('status.get', {}, cookie);
      expect(res.status, res.text).toBe(200);
      return res.json as unknown as StudentStatus;
    }

    const step = (s: StudentStatus, id: string) => s.checkpoints.flatMap((cp) => cp.steps).find((x) => x.id === id)!;

    it('signs in with 学号 + last 6, shows the own status by the gates, with where to go and the notices', async () => {
      const cookie = await signIn(a.studentNo, a.last6.toLowerCase());
      const s = await status(cookie);
      expect(s.student).toMatchObject({ studentNo: a.studentNo, name: a.name, college: '计算机学院' });
      expect(s.student.idCardMasked).toMatch(/^\*{14}\d{3}[\dX]$/);
      expect(JSON.stringify(s)).not.toContain(a.last6);
      expect(s.complete).toBe(false);
      expect(s.notices).toEqual([{ title: '证件领取安排', date: '2027-06-20', body: '6月25日起到学院办公室领取学位证。' }]);
      const library = s.checkpoints.find((cp) => cp.id === 'library')!;
      expect(library).toMatchObject({ location: '图书馆一楼总服务台', hours: null, phone: null });
      const certificates = s.checkpoints.find((cp) => cp.id === 'certificates')!;
      expect(certificates.name).toBe('计算机学院领取证件');
      const degree = step(s, 'degree-cert');
      expect(degree.status).toBe('pending');
      expect(degree.blockedBy).toEqual([
        { checkpointId: 'dorm', checkpointName: '宿管中心离校点', steps: [{ id: 'dorm-clearance', name: '清理宿舍物品' }] },
        { checkpointId: 'library', checkpointName: '图书馆离校点', steps: [{ id: 'return-books', name: '归还图书' }] },
      ]);
      expect(step(s, 'dorm-clearance').blockedBy).toEqual([]);
    });

    it('follows a counter: 未通过 with its reason, a lifted restriction, passes, then complete with a 离校单 PDF', async () => {
      const cookie = await signIn(a.studentNo, a.last6);
      const counter = await registerTestCounter(server.url, batchId, await registrationCode(server.database.db));
      const events = await fetch(`${server.url}/student/api/events`, { headers: { cookie } });
      expect(events.headers.get('content-type')).toMatch(/text\/event-stream/);
      const reader = events.body!.getReader();
      const firstEvent = await reader.read();
      expect(new TextDecoder().decode(firstEvent.value)).toMatch(/event: changed/);

      await counter.send('reject', a.studentNo, 'return-books', '欠书2本');
      const nudged = await reader.read();
      expect(new TextDecoder().decode(nudged.value)).toMatch(/event: changed/);
      let s = await status(cookie);
      expect(step(s, 'return-books')).toMatchObject({ status: 'rejected', note: '欠书2本' });

      await counter.send('lift', a.studentNo, 'return-books', '缓交至9月');
      s = await status(cookie);
      expect(step(s, 'return-books').lifted).toBe(true);
      expect(step(s, 'degree-cert').blockedBy.map((g) => g.checkpointId)).toEqual(['dorm']);

      const refusedSlip = await fetch(`${server.url}/student/api/slip.pdf`, { headers: { cookie } });
      expect(refusedSlip.status).toBe(409);
      expect(((await refusedSlip.json()) as { error: { message: string } }).error.message).toBe('离校手续尚未全部办结，办结后才能下载离校单');

      await counter.send('pass', a.studentNo, 'dorm-clearance');
      await counter.send('pass', a.studentNo, 'return-books', '', 1);
      await counter.send('pass', a.studentNo, 'degree-cert');
      s = await status(cookie);
      expect(s.complete).toBe(true);
      expect(step(s, 'degree-cert').status).toBe('passed');
      await reader.cancel();

      const slip = await fetch(`${server.url}/student/api/slip.pdf`, { headers: { cookie } });
      expect(slip.status).toBe(200);
      expect(slip.headers.get('content-type')).toBe('application/pdf');
      const dir = mkdtempSync(join(tmpdir(), 'lixiao-slip-'));
      const file = join(dir, 'slip.pdf');
      writeFileSync(file, Buffer.from(await slip.arrayBuffer()));
      expect(execFileSync('pdfinfo', [file]).toString()).toMatch(/Pages:\s+1\b[\s\S]*A4/);
      const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
      const batch = (await server.batches.get(server.database.db, batchId))!;
      const { code } = slipCodeOf(batch.idHashKey, batchId, a.studentNo);
      for (const expected of [a.name, a.studentNo, s.student.idCardMasked, `校验码 ${code}`, '离校手续已全部办结', '计算机学院领取证件']) {
        expect(text).toContain(expected);
      }
    });

    it('refuses a wrong last 6 and an unknown 学号 with the same answer, then waits, then locks the 学号', async () => {
      const wrong = await post('session.signIn', { studentNo: c.studentNo, secret: '000000' });
      const ghost = await post('session.signIn', { studentNo: '2099999999', secret: '000000' });
      expect(wrong.status).toBe(401);
      expect(ghost.status).toBe(401);
      expect(message(wrong)).toBe(message(ghost));
      expect(message(wrong)).toBe('学号或密码错误（尚未设置密码的同学请输入身份证号后6位）');
      const badShape = await post('session.reset', { studentNo: c.studentNo, idLast6: '12a', newPassword: 'new-pass-1' });
      expect(badShape.status).toBe(400);
      expect(message(badShape)).toContain('身份证号后6位应为 6 位数字');

      // Each wait is let pass on the test's clock, so only the lock can stop the right secret afterwards.
      for (const who of [c.studentNo, '2099999999']) {
        let failures = 1;
        while (failures < STUDENT_LOCK_AFTER) {
          const r = await post('session.signIn', { studentNo: who, secret: '000000' });
          if (r.status === 401) failures++;
          else {
            expect(r.status).toBe(429);
            expect(message(r)).toMatch(/^登录失败次数较多，请在 \d+ 秒后再试$/);
            clock += Number(r.headers.get('retry-after')) * 1000;
          }
        }
      }
      const locked = await post('session.signIn', { studentNo: c.studentNo, secret: c.last6 });
      const lockedGhost = await post('session.signIn', { studentNo: '2099999999', secret: c.last6 });
      expect(locked.status).toBe(429);
      expect(message(locked)).toMatch(/此学号已暂时锁定，请在 (29|30) 分钟后再试/);
      expect(lockedGhost.status).toBe(429);
      expect(message(lockedGhost)).toMatch(/此学号已暂时锁定，请在 (29|30) 分钟后再试/);
      // Another student at the same address is not shut out.
      await signIn(b.studentNo, b.last6);
      clock += STUDENT_LOCK_SECONDS * 1000 + 1000;
      await signIn(c.studentNo, c.last6);
    });

    it('sets a password on first sign-in, then only it signs in; the reset with the last 6 replaces it and ends other sessions', async () => {
      const first = await signIn(b.studentNo, b.last6);
      expect((await post('session.get', {}, first)).json).toMatchObject({ studentNo: b.studentNo, hasPassword: false });
      const short = await post('session.setPassword', { newPassword: 'short' }, first);
      expect(short.status).toBe(400);
      expect(message(short)).toContain('新密码至少需要 8 位');
      expect((await post('session.setPassword', { newPassword: 'b-password-1' }, first)).json).toMatchObject({ hasPassword: true });
      expect((await post('session.setPassword', { newPassword: 'b-password-2' }, first)).status).toBe(409);
      expect((await post('session.signIn', { studentNo: b.studentNo, secret: b.last6 })).status).toBe(401);
      const second = await signIn(b.studentNo, 'b-password-1');

      const reset = await post('session.reset', { studentNo: b.studentNo, idLast6: b.last6, newPassword: 'b-password-3' });
      expect(reset.status).toBe(200);
      expect((await post('status.get', {}, first)).status).toBe(401);
      expect((await post('status.get', {}, second)).status).toBe(401);
      await signIn(b.studentNo, 'b-password-3');
      const [row] = await server.database.db.select({ n: count() }).from(studentPasswords);
      expect(row!.n).toBe(1);
    });

    it("never answers B's data to A's session, whatever A sends", async () => {
      const cookieA = await signIn(a.studentNo, a.last6);
      const forB = [
        () => post('status.get', { studentNo: b.studentNo }, cookieA),
        () => post('status.get', { batchId, studentNo: b.studentNo }, cookieA),
        () => post('session.get', { studentNo: b.studentNo }, cookieA),
        () => post('session.setPassword', { studentNo: b.studentNo, newPassword: 'x-password-1' }, cookieA),
        () => post(`status.get?studentNo=${b.studentNo}`, {}, cookieA),
      ];
      const seen: string[] = [];
      for (const attempt of forB) {
        const r = await attempt();
        seen.push(r.text);
        expect([200, 400]).toContain(r.status);
      }
      const slip = await fetch(`${server.url}/student/api/slip.pdf?studentNo=${b.studentNo}`, { headers: { cookie: cookieA } });
      const slipText = execFileSync('pdftotext', ['-', '-'], { input: Buffer.from(await slip.arrayBuffer()) }).toString();
      seen.push(slipText);
      expect(slipText).toContain(a.studentNo);
      for (const text of seen) {
        expect(text).not.toContain(b.studentNo);
        expect(text).not.toContain(b.name);
      }
      // Every signed-in route refuses a request without a session, and a forged cookie is no session.
      for (const method of Object.keys(studentRoutes) as StudentMethod[]) {
        if (studentRoutes[method].access === 'public') continue;
        expect((await post(method, {})).status).toBe(401);
        expect((await post(method, {}, 'lxs_session=lxs_forged')).status).toBe(401);
      }
      expect((await fetch(`${server.url}/student/api/events`)).status).toBe(401);
      expect((await fetch(`${server.url}/student/api/slip.pdf`)).status).toBe(401);
    });

    it('signs out: the session row goes and the cookie no longer works', async () => {
      const cookie = await signIn(a.studentNo, a.last6);
      const before = (await server.database.db.select({ n: count() }).from(studentSessions))[0]!.n;
      expect((await post('session.signOut', {}, cookie)).status).toBe(200);
      expect((await server.database.db.select({ n: count() }).from(studentSessions))[0]!.n).toBe(before - 1);
      expect((await post('status.get', {}, cookie)).status).toBe(401);
    });
  });
}
