import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  clearedListQuerySchema,
  integrationBulkWriteRequestSchema,
  type ClearedListResponse,
  integrationWriteRequestSchema,
  type IntegrationBulkWriteResponse,
  type OpResult,
} from '../../src-shared/contract/sync';
import { apiKeys } from '../db/schema';
import { hashToken } from '../auth/tokens';
import { applyIntegrationItems, ReusedOpIds, type IntegrationItem } from '../apply/integration-writes';
import { OpIdReused } from '../apply/server-ops';
import { applyClearedList, ClearedListRefused } from '../apply/cleared-list';
import { clearedListStudentNos } from './cleared-list-body';
import type { ServerContext } from './context';
import { HttpError, parseInput } from './http-error';

/** 50,000 items with notes of a few dozen characters fit with room to spare. */
export const INTEGRATION_BODY_LIMIT = 32 * 1024 * 1024;
const CLEARED_LIST_CODES = { 400: 'bad_request', 403: 'forbidden', 409: 'conflict' } as const;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function registerIntegrationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  void app.register(async (scope) => {
    // One item per line, for systems that stream their export; read as { items: [...] }.
    scope.addContentTypeParser('application/x-ndjson', { parseAs: 'string', bodyLimit: INTEGRATION_BODY_LIMIT }, (_request, text, done) => {
      try {
        done(null, { items: ndjsonItems(text as string) });
      } catch (e) {
        done(e as Error, undefined);
      }
    });

    // Full lists as files: read as bytes, decoded by the shared spreadsheet loader.
    scope.addContentTypeParser(['text/csv', XLSX_TYPE], { parseAs: 'buffer', bodyLimit: INTEGRATION_BODY_LIMIT }, (_request, bytes, done) =>
      done(null, new Uint8Array(bytes as Buffer)),
    );

    /** A system's complete list of cleared students for one of its steps (see applyClearedList). */
    scope.put('/api/integration/steps/:stepId/cleared', { bodyLimit: INTEGRATION_BODY_LIMIT }, async (request): Promise<ClearedListResponse> => {
      const client = await apiKeyOf(request);
      const query = parseInput(clearedListQuerySchema, request.query, '名单参数');
      const studentNos = await clearedListStudentNos(request.body);
      const { stepId } = request.params as { stepId: string };
      try {
        return await applyClearedList(
          ctx.db,
          ctx.batches,
          client,
          stepId,
          studentNos,
          { dryRun: query.dryRun === '1', confirm: query.confirm, receivedAt: new Date().toISOString() },
          (at) => ctx.notifier.committed(at),
        );
      } catch (e) {
        if (e instanceof ClearedListRefused) throw new HttpError(e.status, CLEARED_LIST_CODES[e.status], e.message, e.issues.length > 0 ? { issues: e.issues } : {});
        throw e;
      }
    });

    /**
     * Another campus system sets its steps, one (a single item) or many (`items`), through the
     * same apply path as counters. The whole body is checked before anything is applied.
     */
    scope.post('/api/integration/steps', { bodyLimit: INTEGRATION_BODY_LIMIT }, async (request): Promise<OpResult | IntegrationBulkWriteResponse> => {
      const client = await apiKeyOf(request);
      // CSV and xlsx are read for full lists only (the parsers are shared within this scope).
      if (request.body instanceof Uint8Array) throw new HttpError(415, 'bad_request', '写入请求必须是 JSON（application/json）或 NDJSON（application/x-ndjson）');
      const bulk = typeof request.body === 'object' && request.body !== null && 'items' in request.body;
      const items: IntegrationItem[] = bulk
        ? parseInput(integrationBulkWriteRequestSchema, request.body, '批量写入请求').items
        : [parseInput(integrationWriteRequestSchema, request.body, '写入请求')];
      try {
        const response = await applyIntegrationItems(ctx.db, ctx.batches, client, items, new Date().toISOString(), (at) => ctx.notifier.committed(at));
        return bulk ? response : response.results[0]!;
      } catch (e) {
        if (e instanceof ReusedOpIds) {
          const issues = e.indexes.map((r) => ({ path: bulk ? `items.${r.index}.opId` : 'opId', message: r.message }));
          throw new HttpError(409, 'op_mismatch', bulk ? e.message : issues[0]!.message, { issues });
        }
        if (e instanceof OpIdReused) throw new HttpError(409, 'op_mismatch', e.message);
        throw e;
      }
    });
  });

  async function apiKeyOf(request: FastifyRequest) {
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string' || key === '') throw new HttpError(401, 'unauthorized', '缺少接口密钥（x-api-key）');
    const [client] = await ctx.db.select().from(apiKeys).where(eq(apiKeys.keyHash, hashToken(key)));
    if (!client) throw new HttpError(401, 'unauthorized', '接口密钥无效');
    if (client.revoked) throw new HttpError(403, 'device_revoked', '此接口密钥已被停用');
    return client;
  }
}

/** The items of an NDJSON body; blank lines are skipped, a line that is not JSON is named by its number. */
function ndjsonItems(text: string): unknown[] {
  const items: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      items.push(JSON.parse(line));
    } catch {
      throw new HttpError(400, 'invalid_json', `第 ${i + 1} 行不是有效的 JSON（每行一条写入）`);
    }
  }
  return items;
}
