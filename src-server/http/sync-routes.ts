import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import {
  positionQuerySchema,
  pullQuerySchema,
  pushRequestSchema,
  restoreReportRequestSchema,
  type PullResponse,
  type PushResponse,
  type SyncPosition,
} from '../../src-shared/contract/sync';
import type { AuthenticatedDevice } from '../auth/device-auth';
import { pushOps, PushRefused } from '../apply/push-ops';
import { RescueRefused, uploadRescue } from '../apply/rescue-upload';
import { rescueFileSchema, type RescueUpload } from '../../src-shared/contract/rescue';
import type { LoadedBatch } from '../sync/batch-cache';
import { pull } from '../sync/pull';
import { writeSnapshot } from '../sync/snapshot';
import { position } from '../sync/history';
import { storeRestoreReport, UnknownHistory } from '../sync/restore-losses';
import type { ServerContext } from './context';
import { requireDevice } from './device-auth-hook';
import { HttpError, parseInput } from './http-error';

const PUSH_REFUSAL_STATUS = { seq_gap: 409, op_mismatch: 409, forbidden: 403, device_revoked: 403 } as const;
const RESCUE_REFUSAL_STATUS = { unknown_device: 404, forbidden: 403, device_revoked: 403 } as const;
const RESCUE_REFUSAL_CODE = { unknown_device: 'not_found', forbidden: 'forbidden', device_revoked: 'device_revoked' } as const;
/** A rescue file of RESCUE_MAX_OPS ops with the longest notes. */
const RESCUE_BODY_LIMIT = 64 * 1024 * 1024;
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

  /** A position the counter saw that this database no longer holds renews the history before the answer. */
  async function checkReported(query: { history?: string; seenSeq?: number; seenMark?: string }): Promise<void> {
    const reported: SyncPosition | null =
      query.history === undefined || query.seenSeq === undefined
        ? null
        : { history: { id: query.history, backupOf: null, restoredAt: null }, seq: query.seenSeq, mark: query.seenMark ?? null };
    ctx.notifier.committed(await ctx.history.check(ctx.db, reported));
  }

  app.post('/api/sync/push', { bodyLimit: PUSH_BODY_LIMIT }, async (request): Promise<PushResponse> => {
    const device = await requireDevice(ctx.db, request);
    const body = parseInput(pushRequestSchema, request.body, '上传内容');
    try {
      const response = await pushOps(ctx.db, ctx.batches, device, body.ops);
      ctx.notifier.committed({ seq: response.serverSeq, history: response.history });
      return response;
    } catch (e) {
      if (!(e instanceof PushRefused)) throw e;
      const extra = e.expectedDeviceSeq === undefined ? {} : { expectedDeviceSeq: e.expectedDeviceSeq };
      throw new HttpError(PUSH_REFUSAL_STATUS[e.code], e.code, e.message, extra);
    }
  });

  /** Another counter's rescue file, uploaded by a counter of the same batch (docs/local-replica.md). */
  app.post('/api/sync/rescue', { bodyLimit: RESCUE_BODY_LIMIT }, async (request): Promise<RescueUpload> => {
    const uploader = await requireDevice(ctx.db, request);
    const rescue = parseInput(rescueFileSchema, request.body, '救援文件');
    try {
      const upload = await uploadRescue(ctx.db, ctx.batches, rescue, { kind: 'device', id: uploader.id, batchId: uploader.batchId });
      request.log.info({ uploader: uploader.id, rescued: upload.deviceId, stored: upload.stored, duplicates: upload.duplicates }, 'rescue file uploaded');
      if (upload.results.length > 0) ctx.notifier.committed(await position(ctx.db));
      return upload;
    } catch (e) {
      if (e instanceof RescueRefused) throw new HttpError(RESCUE_REFUSAL_STATUS[e.code], RESCUE_REFUSAL_CODE[e.code], e.message);
      if (e instanceof PushRefused) throw new HttpError(PUSH_REFUSAL_STATUS[e.code], e.code, e.message);
      throw e;
    }
  });

  app.get('/api/sync/pull', async (request): Promise<PullResponse> => {
    const [device, batch] = await deviceAndBatch(request);
    const query = parseInput(pullQuerySchema, request.query, '拉取参数');
    await checkReported(query);
    return pull(ctx.db, batch, device, query.cursor, query.limit);
  });

  /** NDJSON; valid only if it ends with the "end" line (a cut connection shows as a missing end). */
  app.get('/api/sync/snapshot', async (request, reply) => {
    const [device, batch] = await deviceAndBatch(request);
    await checkReported(parseInput(positionQuerySchema, request.query, '下载参数'));
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

  /** After a restore: the changes this counter had seen that the server lacks (docs/sync-protocol.md). */
  app.post('/api/sync/restore-report', { bodyLimit: PUSH_BODY_LIMIT }, async (request) => {
    const device = await requireDevice(ctx.db, request);
    const body = parseInput(restoreReportRequestSchema, request.body, '恢复报告');
    try {
      return { losses: await storeRestoreReport(ctx.db, device.id, body.history, body.losses) };
    } catch (e) {
      if (e instanceof UnknownHistory) throw new HttpError(409, 'conflict', e.message);
      throw e;
    }
  });

  /** Server-sent events: "changed" with the latest seq and history at once, then after every commit. */
  app.get('/api/sync/events', async (request, reply) => {
    await requireDevice(ctx.db, request);
    const now = await position(ctx.db);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (change: { seq: number; history: string }) =>
      res.write(`event: changed\ndata: ${JSON.stringify({ seq: change.seq, history: change.history })}\n\n`);
    send({ seq: now.seq, history: now.history.id });
    const unsubscribe = ctx.notifier.subscribe(send);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
}
