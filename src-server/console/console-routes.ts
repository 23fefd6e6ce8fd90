import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  CONSOLE_API_PREFIX,
  CONSOLE_EVENTS_PATH,
  CONSOLE_SESSION_COOKIE,
  consoleRoutes,
  type ConsoleAccount,
  type ConsoleMethod,
} from '../../src-shared/contract/console-api';
import { mayUse } from '../../src-shared/domain/console-roles';
import { HttpError, parseInput } from '../http/http-error';
import { cookieValue, sessionCookie } from '../http/cookies';
import { streamSeqChanges } from '../http/seq-events';
import { loadConsoleAccount } from '../console-auth/accounts';
import { sessionOperator } from '../console-auth/sessions';
import type { ConsoleCall, ConsoleContext, ConsoleHandlers } from './handler-map';


async function accountOf(ctx: ConsoleContext, token: string | null): Promise<ConsoleAccount | null> {
  if (!token) return null;
  const operatorNo = await sessionOperator(ctx.server.db, token);
  return operatorNo ? loadConsoleAccount(ctx.server.db, operatorNo) : null;
}

/**
 * One POST route per console method. Every call is checked against the method's audience from
 * the shared contract before its input is read: 401 without a live session, 403 for the wrong role.
 */
export function registerConsoleRoutes(app: FastifyInstance, ctx: ConsoleContext, handlers: ConsoleHandlers): void {
  for (const method of Object.keys(consoleRoutes) as ConsoleMethod[]) {
    const route = consoleRoutes[method];
    const handler = handlers[method] as (input: unknown, call: ConsoleCall) => Promise<unknown>;
    const options = 'bodyLimit' in route ? { bodyLimit: route.bodyLimit } : {};
    app.post(`${CONSOLE_API_PREFIX}${method}`, options, async (request, reply: FastifyReply) => {
      const token = cookieValue(request, CONSOLE_SESSION_COOKIE);
      const account = route.access === 'public' ? null : await accountOf(ctx, token);
      if (route.access !== 'public' && !account) throw new HttpError(401, 'unauthorized', '未登录或登录已过期，请重新登录');
      if (!mayUse(account?.role ?? null, route.access)) throw new HttpError(403, 'forbidden', '您的账号没有此项权限');
      const input = parseInput(route.input, request.body, '请求');
      reply.header('cache-control', 'no-store');
      return handler(input, {
        account,
        request,
        sessionToken: token,
        setSessionCookie: (value, maxAge) => void reply.header('set-cookie', sessionCookie(request, CONSOLE_SESSION_COOKIE, '/console', value, maxAge)),
        clearSessionCookie: () => void reply.header('set-cookie', sessionCookie(request, CONSOLE_SESSION_COOKIE, '/console', '', 0)),
      });
    });
  }

  /** Server-sent events for dashboards (see streamSeqChanges). */
  app.get(CONSOLE_EVENTS_PATH, async (request, reply) => {
    const account = await accountOf(ctx, cookieValue(request, CONSOLE_SESSION_COOKIE));
    if (!account) throw new HttpError(401, 'unauthorized', '未登录或登录已过期，请重新登录');
    if (!mayUse(account.role, 'read')) throw new HttpError(403, 'forbidden', '您的账号没有此项权限');
    await streamSeqChanges(ctx.server, request, reply);
  });
}
