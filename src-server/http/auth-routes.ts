import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  loginRequestSchema,
  type OperatorSession,
  registerDeviceRequestSchema,
  type LoginResponse,
  type RegisterDeviceResponse,
} from '../../src-shared/contract/sync';
import type { OperatorScope } from '../apply/apply-op';
import { checkCredentials } from '../auth/operators';
import { admitOperator, registerDevice } from '../auth/devices';
import { scopeCovers } from '../../src-shared/domain/roster-scope';
import { openOperatorSession } from '../auth/operator-sessions';
import { useRegistrationCode } from '../auth/registration-codes';
import { listBatches } from '../admin/batches';
import { deviceScope } from '../sync/pull';
import type { ServerContext } from './context';
import { requireDevice, bearerToken } from './device-auth-hook';
import { HttpError, parseInput } from './http-error';

export function registerAuthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  /** 工号 + password; rate-limited; with a device token, also admits the operator to that device. */
  app.post('/api/login', async (request): Promise<LoginResponse> => {
    const body = parseInput(loginRequestSchema, request.body, '登录请求');
    const operator = await signIn(ctx, request, body.operatorNo, body.password);
    const batches = (await listBatches(ctx.db)).map((b) => ({ id: b.id, name: b.name }));
    let resnapshot = false;
    let session: OperatorSession | null = null;
    if (bearerToken(request)) {
      const device = await requireDevice(ctx.db, request);
      const batch = await ctx.batches.get(ctx.db, device.batchId);
      if (batch) {
        const before = deviceScope(batch, device);
        const after = deviceScope(batch, { ...device, operators: new Map([...device.operators, [operator.operatorNo, operator]]) });
        resnapshot = !scopeCovers(before, after);
      }
      // write: device_operators (admitted, once) + operator_sessions, one transaction
      session = await ctx.db.transaction(async (tx) => {
        await admitOperator(tx, device.id, operator.operatorNo);
        return openOperatorSession(tx, device.id, operator.operatorNo);
      });
    }
    return {
      operator: { id: operator.operatorNo, name: operator.name },
      grants: operator.grants,
      batches,
      resnapshot,
      session,
      passwordVersion: operator.passwordVersion ?? 1,
    };
  });

  /** A counter registers for a batch with an operator's password and a one-time code; the token in the answer is never shown again. */
  app.post('/api/devices', async (request, reply): Promise<RegisterDeviceResponse> => {
    const body = parseInput(registerDeviceRequestSchema, request.body, '柜台登记请求');
    const operator = await signIn(ctx, request, body.operatorNo, body.password);
    const batch = await ctx.batches.get(ctx.db, body.batchId);
    if (!batch) throw new HttpError(404, 'not_found', `没有编号为 "${body.batchId}" 的离校批次`);
    if (!operator.grants.some((g) => batch.index.hasCheckpoint(g.checkpointId))) {
      throw new HttpError(403, 'forbidden', `您在「${batch.name}」中没有任何离校点的办理权限，请联系管理员授权`);
    }
    // write: devices + device_operators + operator_sessions, one transaction
    // write: devices + device_operators + operator_sessions + registration_codes (used up), one transaction
    const { deviceId, token, session } = await ctx.db.transaction(async (tx) => {
      const device = await registerDevice(tx, operator.operatorNo, body.name, batch.id);
      if (!(await useRegistrationCode(tx, body.registrationCode, device.deviceId))) {
        throw new HttpError(403, 'forbidden', '柜台注册码不对、已用过或已过期，未登记本柜台。请向管理员索取新的注册码（每个注册码只能登记一台柜台）');
      }
      return { ...device, session: await openOperatorSession(tx, device.deviceId, operator.operatorNo) };
    });
    reply.code(201);
    return {
      deviceId,
      token,
      batch: { id: batch.id, name: batch.name },
      operator: { id: operator.operatorNo, name: operator.name },
      grants: operator.grants,
      session,
      passwordVersion: operator.passwordVersion ?? 1,
    };
  });
}

/** Limited 工号 + password check, shared by the counter login and the console sign-in. */
export async function signIn(ctx: ServerContext, request: FastifyRequest, operatorNo: string, password: string): Promise<OperatorScope> {
  const limits = ctx.signInLimits;
  const wait = await limits.waitMs(ctx.db, operatorNo, request.ip);
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    throw new HttpError(429, 'rate_limited', `密码错误次数较多，请在 ${seconds} 秒后再试`, {}, { 'retry-after': String(seconds) });
  }
  const operator = await checkCredentials(ctx.db, operatorNo, password);
  if (!operator) {
    await limits.failed(ctx.db, operatorNo, request.ip);
    throw new HttpError(401, 'unauthorized', '工号或密码错误');
  }
  await limits.succeeded(ctx.db, operatorNo, request.ip);
  if (operator.disabled) throw new HttpError(403, 'forbidden', '此工号已被管理员停用，请联系离校办');
  return operator;
}
