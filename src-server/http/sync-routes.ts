import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pullQuerySchema, pushRequestSchema, type PullResponse, type PushResponse } from '../../src-shared/contract/sync';
import type { AuthenticatedDevice } from '../auth/device-auth';
import { pushOps, PushRefused } from '../apply/push-ops';
import type { LoadedBatch } from '../sync/batch-cache';
import { pull } from '../sync/pull';
import { writeSnapshot } from '../sync/snapshot';
import { currentSeq } from '../sync/seq';
import type { ServerContext } from './context';
import { requireDevice } from './device-auth-hook';
import { HttpError, parseInput } from './http-error';

const PUSH_REFUSAL_STATUS = { seq_gap: 409, op_mismatch: 409, forbidden: 403, device_revoked: 403 } as const;
const HEARTBEAT_MS = 15_000;
/** MAX_PUSH_OPS ops with the longest notes (500 characters of 3 UTF-8 bytes) fit with room to spare. */
export const PUSH_BODY_LIMIT = 16 * 1024 * 1024;

export function registerSyncRoutes(app: FastifyInstance, ctx: ServerContext): void {
  async function deviceAndBatch(request: Parameters<typeof requireDevice>[1]): Promise<[AuthenticatedDevice, LoadedBatch]> {
    const device = await requireDevice(ctx.db, request);
    const batch = await ctx.batches.get(ctx.db, device.batchId);
    if (!batch) throw new Error(`device ${device.id} belongs to missing batch ${device.batchId}`);
    return [device, batch];
  }

  app.post('/api/sync/push', { bodyLimit: PUSH_BODY_LIMIT }, async (request): Promise<PushResponse> => {
    const device = await requireDevice(ctx.db, request);
    const body = parseInput(pushRequestSchema, request.body, '上传内容');
    try {
      const response = await pushOps(ctx.db, ctx.batches, device, body.ops);
      ctx.notifier.committed(response.serverSeq);
      return response;
    } catch (e) {
      if (!(e instanceof PushRefused)) throw e;
      const extra = e.expectedDeviceSeq === undefined ? {} : { expectedDeviceSeq: e.expectedDeviceSeq };
      throw new HttpError(PUSH_REFUSAL_STATUS[e.code], e.code, e.message, extra);
    }
  });

  app.get('/api/sync/pull', async (request): Promise<PullResponse> => {
    const [device, batch] = await deviceAndBatch(request);
    const query = parseInput(pullQuerySchema, request.query, '拉取参数');
    return pull(ctx.db, batch, device, query.cursor, query.limit);
  });

  /** NDJSON; valid only if it ends with the "end" line (a cut connection shows as a missing end). */
  app.get('/api/sync/snapshot', async (request, reply) => {
    const [device, batch] = await deviceAndBatch(request);
    const out = new PassThrough();
    writeSnapshot(ctx.db, batch, device, (chunk) => out.write(chunk)).then(
      () => out.end(),
      (err: unknown) => {
        request.log.error({ err }, 'snapshot failed');
        out.destroy(err instanceof Error ? err : new Error(String(err)));
      },
    );
    return reply.type('application/x-ndjson; charset=utf-8').header('cache-control', 'no-store').send(out);
  });

  /** Server-sent events: "changed" with the latest seq at once, then after every commit. */
  app.get('/api/sync/events', async (request, reply) => {
    await requireDevice(ctx.db, request);
    const seq = await currentSeq(ctx.db);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (value: number) => res.write(`event: changed\ndata: ${JSON.stringify({ seq: value })}\n\n`);
    send(seq);
    const unsubscribe = ctx.notifier.subscribe(send);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
}
