import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { integrationWriteRequestSchema, type OpResult } from '../../src-shared/contract/sync';
import { apiKeys } from '../db/schema';
import { hashToken } from '../auth/tokens';
import { ApplySession } from '../apply/apply-op';
import { applyIntegrationOp, OpIdReused, ServerOpSource, STATUS_TO_KIND } from '../apply/server-ops';
import { lockWrites } from '../sync/seq';
import { position } from '../sync/history';
import type { ServerContext } from './context';
import { HttpError, parseInput } from './http-error';

export function registerIntegrationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  /** Another campus system sets one of its steps, through the same apply path as counters. */
  app.post('/api/integration/steps', async (request): Promise<OpResult> => {
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string' || key === '') throw new HttpError(401, 'unauthorized', '缺少接口密钥（x-api-key）');
    const [client] = await ctx.db.select().from(apiKeys).where(eq(apiKeys.keyHash, hashToken(key)));
    if (!client) throw new HttpError(401, 'unauthorized', '接口密钥无效');
    if (client.revoked) throw new HttpError(403, 'device_revoked', '此接口密钥已被停用');
    const body = parseInput(integrationWriteRequestSchema, request.body, '写入请求');
    const actor = { kind: 'integration' as const, name: client.name, stepIds: new Set(client.stepIds) };
    try {
      const { result, at } = await ctx.db.transaction(async (tx) => {
        await lockWrites(tx);
        const batch = await ctx.batches.get(tx, client.batchId);
        if (!batch) throw new Error(`api key ${client.id} belongs to missing batch ${client.batchId}`);
        const source = await ServerOpSource.open(tx, `integration:${client.id}`);
        const result = await applyIntegrationOp(tx, new ApplySession(tx, batch), actor, source, {
          opId: body.opId,
          studentNo: body.studentNo,
          stepId: body.stepId,
          kind: STATUS_TO_KIND[body.status],
          note: body.note,
          time: body.time ?? new Date().toISOString(),
        });
        return { result, at: await position(tx) };
      });
      ctx.notifier.committed(at);
      return result;
    } catch (e) {
      if (e instanceof OpIdReused) throw new HttpError(409, 'op_mismatch', e.message);
      throw e;
    }
  });
}
