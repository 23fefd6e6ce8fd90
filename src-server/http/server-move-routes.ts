import type { FastifyInstance } from 'fastify';
import { serverMoveRequestSchema, type HealthResponse, type ServerMoveResponse } from '../../src-shared/contract/server-identity';
import { mayMoveCounterServer } from '../../src-shared/domain/console-roles';
import { loadConsoleAccount } from '../console-auth/accounts';
import { recordConsoleChange } from '../console/console-log';
import { currentSeq } from '../sync/seq';
import { serverIdentity } from '../sync/server-identity';
import type { ServerContext } from './context';
import { requireDevice } from './device-auth-hook';
import { HttpError, parseInput } from './http-error';
import { signIn } from './auth-routes';

/** The health probe with the server's identity, and a supervisor's consent to a counter's new address. */
export function registerServerMoveRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/health', async (): Promise<HealthResponse> => ({ ok: true, seq: await currentSeq(ctx.db), server: await serverIdentity(ctx.db) }));

  /**
   * Sent to the new address with the device's token: the token proves this server registered the
   * device, the 管理员's password that someone allowed to do so stands at the counter.
   */
  app.post('/api/server-move', async (request): Promise<ServerMoveResponse> => {
    const body = parseInput(serverMoveRequestSchema, request.body, '更换服务器地址请求');
    const device = await requireDevice(ctx.db, request);
    const operator = await signIn(ctx, request, body.operatorNo, body.password);
    const account = await loadConsoleAccount(ctx.db, operator.operatorNo);
    if (!mayMoveCounterServer(account?.role ?? null)) {
      throw new HttpError(403, 'forbidden', `${operator.name}（${operator.operatorNo}）不是管理员，不能更换柜台的服务器地址，请管理员来确认`);
    }
    await recordConsoleChange(ctx.db, operator.operatorNo, '更换柜台服务器地址', `柜台「${device.name}」改用服务器地址 ${body.serverUrl}`);
    return { server: await serverIdentity(ctx.db), operator: { id: operator.operatorNo, name: operator.name } };
  });
}
