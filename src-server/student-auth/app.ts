import type { StudentAccount } from '../../src-shared/contract/student-api';
import { hashPassword } from '../auth/passwords';
import { HttpError } from '../http/http-error';
import { signedInStudent, type StudentCall, type StudentContext, type StudentHandlerMap } from '../student-page/handler-map';
import { loadStudentAccount, storeStudentPassword } from './accounts';
import { checkStudent, last6Matches, secretMatches } from './sign-in';
import { endOtherStudentSessions, endStudentSession, STUDENT_SESSION_SECONDS, startStudentSession, type StudentRef } from './sessions';

type SessionMethods = 'session.signIn' | 'session.reset' | 'session.get' | 'session.signOut' | 'session.setPassword';

const WRONG_SECRET = '学号或密码错误（尚未设置密码的同学请输入身份证号后6位）';
const WRONG_LAST6 = '学号或身份证号后6位不正确，密码未重置';

/** Student sign-in: 学号 + password (or the last 6 of the 身份证号 before one is set); the session is a cookie. */
export function studentAuthApp(ctx: StudentContext): StudentHandlerMap<SessionMethods> {
  const { db } = ctx.server;

  async function accountOf(ref: StudentRef): Promise<StudentAccount> {
    const account = await loadStudentAccount(db, ref);
    if (!account) throw new HttpError(401, 'unauthorized', '未登录或登录已过期，请重新登录');
    return account;
  }

  async function begin(ref: StudentRef, call: StudentCall): Promise<StudentAccount> {
    // write: student_sessions (one row per signed-in browser)
    const token = await startStudentSession(db, { batchId: ref.batchId, studentNo: ref.studentNo });
    call.setSessionCookie(token, STUDENT_SESSION_SECONDS);
    return accountOf(ref);
  }

  return {
    'session.signIn': async (input, call) => {
      const student = await checkStudent(db, ctx.limits, call.request, input.studentNo, secretMatches(db, input.secret), WRONG_SECRET);
      return begin(student, call);
    },

    'session.reset': async (input, call) => {
      const student = await checkStudent(db, ctx.limits, call.request, input.studentNo, last6Matches(db, input.idLast6), WRONG_LAST6);
      const passwordHash = await hashPassword(input.newPassword);
      // write: student_passwords, and the student's other sessions end
      await db.transaction(async (tx) => {
        await storeStudentPassword(tx, student, passwordHash);
        await endOtherStudentSessions(tx, student, null);
      });
      return begin(student, call);
    },

    'session.get': async (_input, call) => accountOf(signedInStudent(call)),

    'session.signOut': async (_input, call) => {
      // write: student_sessions (this browser's row)
      if (call.sessionToken) await endStudentSession(db, call.sessionToken);
      call.clearSessionCookie();
      return { ok: true };
    },

    'session.setPassword': async (input, call) => {
      const ref = signedInStudent(call);
      const account = await accountOf(ref);
      // Changing a password that exists asks for proof beyond the session: that is the reset, with the 身份证号.
      if (account.hasPassword) throw new HttpError(409, 'conflict', '您已设置过密码；如需更换，请退出后用「忘记密码」以身份证号后6位重置');
      const passwordHash = await hashPassword(input.newPassword);
      // write: student_passwords, and the student's other sessions end
      await db.transaction(async (tx) => {
        await storeStudentPassword(tx, ref, passwordHash);
        await endOtherStudentSessions(tx, ref, call.sessionToken);
      });
      return { ...account, hasPassword: true };
    },
  };
}
