import { eq } from 'drizzle-orm';
import { operators } from '../db/schema';
import { hashPassword, verifyPassword } from '../auth/passwords';
import { storeNewPassword } from '../auth/operators';
import { signIn } from '../http/auth-routes';
import { HttpError } from '../http/http-error';
import { recordConsoleChange } from '../console/console-log';
import { signedIn, type ConsoleContext, type HandlerMap } from '../console/handler-map';
import { loadConsoleAccount } from './accounts';
import { CONSOLE_SESSION_SECONDS, endConsoleSession, startConsoleSession } from './sessions';

type SessionMethods = 'session.signIn' | 'session.get' | 'session.signOut' | 'session.changePassword';

/** Console sign-in with the counter's own password check and rate limits; the session is a cookie. */
export function consoleAuthApp(ctx: ConsoleContext): HandlerMap<SessionMethods> {
  const { db } = ctx.server;
  return {
    'session.signIn': async (input, call) => {
      const operator = await signIn(ctx.server, call.request, input.operatorNo, input.password);
      const account = await loadConsoleAccount(db, operator.operatorNo);
      if (!account) throw new HttpError(403, 'forbidden', '此工号已被管理员停用，请联系离校办');
      // write: console_sessions (one row per signed-in browser)
      const token = await startConsoleSession(db, account.operatorNo);
      call.setSessionCookie(token, CONSOLE_SESSION_SECONDS);
      return account;
    },

    'session.get': async (_input, call) => signedIn(call),

    'session.signOut': async (_input, call) => {
      // write: console_sessions (this browser's row)
      if (call.sessionToken) await endConsoleSession(db, call.sessionToken);
      call.clearSessionCookie();
      return { ok: true };
    },

    'session.changePassword': async (input, call) => {
      const account = signedIn(call);
      const [row] = await db.select({ hash: operators.passwordHash }).from(operators).where(eq(operators.operatorNo, account.operatorNo));
      if (!row || !(await verifyPassword(input.currentPassword, row.hash))) throw new HttpError(400, 'bad_request', '当前密码不正确，密码未修改');
      if (input.currentPassword === input.newPassword) throw new HttpError(400, 'bad_request', '新密码不能与当前密码相同');
      const passwordHash = await hashPassword(input.newPassword);
      // write: operators.password_hash + console_log, one transaction
      await db.transaction(async (tx) => {
        await storeNewPassword(tx, account.operatorNo, passwordHash);
        await recordConsoleChange(tx, account.operatorNo, '修改本人密码', `${account.operatorNo} ${account.name}`);
      });
      return { ok: true };
    },
  };
}
