import { inArray } from 'drizzle-orm';
import type { z } from 'zod';
import type { integrationWriteRequestSchema, IntegrationBulkWriteResponse, OpResult, SyncPosition } from '../../src-shared/contract/sync';
import type { Db, Tx } from '../db/database';
import { dbErrorKind } from '../db/db-errors';
import { apiKeys, ops } from '../db/schema';
import type { BatchCache } from '../sync/batch-cache';
import { lockWrites } from '../sync/seq';
import { position } from '../sync/history';
import { ApplySession, type OpActor } from './apply-op';
import { applyAlone } from './push-ops';
import { OpIdReused, ServerOpSource, STATUS_TO_KIND, type ServerOpInput } from './server-ops';
import { sameOp, storedResult } from './stored-ops';

export type IntegrationItem = z.output<typeof integrationWriteRequestSchema>;
export type ApiKeyRow = typeof apiKeys.$inferSelect;

/** The device id a key's ops are numbered under. */
export const integrationDeviceId = (client: Pick<ApiKeyRow, 'id'>) => `integration:${client.id}`;

/**
 * Items applied per transaction. A chunk holds the write lock while it runs, so counters' pushes
 * wait at most one chunk; a server killed mid-request keeps whole chunks, and the resend of the
 * same body finishes the rest (every item's opId makes it idempotent).
 */
export const INTEGRATION_CHUNK = 2000;

/** Items whose opId was stored before with other content: the request is refused, naming each. */
export class ReusedOpIds extends Error {
  constructor(readonly indexes: { index: number; message: string }[]) {
    super(`${indexes.length} 条的 opId 已以不同内容提交过，拒绝覆盖；整个请求未生效`);
    this.name = 'ReusedOpIds';
  }
}

/**
 * Applies another campus system's writes through the one apply path, in chunked transactions,
 * after checking that no item reuses a stored opId with other content (so a refusal leaves
 * nothing applied). Each item gets the same answer whether it is new or resent.
 */
export async function applyIntegrationItems(
  db: Db,
  batches: BatchCache,
  client: ApiKeyRow,
  items: IntegrationItem[],
  receivedAt: string,
  committed: (at: SyncPosition) => void,
): Promise<IntegrationBulkWriteResponse> {
  const inputs: ServerOpInput[] = items.map((item) => ({
    opId: item.opId,
    studentNo: item.studentNo,
    stepId: item.stepId,
    kind: STATUS_TO_KIND[item.status],
    note: item.note,
    time: item.time ?? receivedAt,
  }));
  const deviceId = integrationDeviceId(client);
  const reused: { index: number; message: string }[] = [];
  for (let start = 0; start < inputs.length; start += INTEGRATION_CHUNK) {
    const chunk = inputs.slice(start, start + INTEGRATION_CHUNK);
    const stored = await storedOps(db, chunk);
    chunk.forEach((input, i) => {
      const before = stored.get(input.opId);
      if (before && !sameOp(before, ServerOpSource.numbered(deviceId, input, before.deviceSeq))) {
        reused.push({ index: start + i, message: `opId ${input.opId} 已以不同内容提交过（第 ${before.deviceSeq} 号），拒绝覆盖` });
      }
    });
  }
  if (reused.length > 0) throw new ReusedOpIds(reused);

  const results: OpResult[] = [];
  for (let start = 0; start < inputs.length; start += INTEGRATION_CHUNK) {
    const chunk = inputs.slice(start, start + INTEGRATION_CHUNK);
    const apply = (isolate: boolean) => db.transaction((tx) => applyIntegrationInputs(tx, batches, client, chunk, isolate));
    let done: { results: OpResult[]; at: SyncPosition };
    try {
      done = await apply(false);
    } catch (e) {
      // A value the database refuses (a data error) rejects that item only, as in a push.
      if (dbErrorKind(e) !== 'data') throw e;
      done = await apply(true);
    }
    results.push(...done.results);
    committed(done.at);
  }
  const count = (outcome: OpResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
  return {
    counts: {
      total: results.length,
      applied: count('applied'),
      conflict: count('conflict'),
      rejected: count('rejected'),
      duplicates: results.filter((r) => r.duplicate).length,
    },
    results,
  };
}

/** One transaction's worth of a key's writes, under the write lock (taken here, or already by the caller). */
export async function applyIntegrationInputs(
  tx: Tx,
  batches: BatchCache,
  client: ApiKeyRow,
  chunk: ServerOpInput[],
  isolate: boolean,
): Promise<{ results: OpResult[]; at: SyncPosition }> {
  await lockWrites(tx);
  const actor: Extract<OpActor, { kind: 'integration' }> = { kind: 'integration', name: client.name, stepIds: new Set(client.stepIds) };
  const deviceId = integrationDeviceId(client);
  const batch = await batches.get(tx, client.batchId);
  if (!batch) throw new Error(`api key ${client.id} belongs to missing batch ${client.batchId}`);
  const source = await ServerOpSource.open(tx, deviceId);
  const stored = await storedOps(tx, chunk);
  const session = new ApplySession(tx, batch);
  if (!isolate) await session.preload(chunk.filter((input) => !stored.has(input.opId)));
  const results: OpResult[] = [];
  for (const input of chunk) {
    const before = stored.get(input.opId);
    if (before) {
      // Checked before the first chunk; another request may have stored it since.
      if (!sameOp(before, source.op(input, before.deviceSeq))) throw new OpIdReused(input.opId);
      results.push(storedResult(before));
    } else {
      const op = source.op(input);
      results.push(isolate ? await applyAlone(tx, batch, actor, op) : await session.apply(actor, op));
    }
  }
  await session.flush();
  return { results, at: await position(tx) };
}

async function storedOps(exec: Db | Tx, inputs: ServerOpInput[]) {
  const rows = await exec.select().from(ops).where(inArray(ops.opId, inputs.map((i) => i.opId)));
  return new Map(rows.map((r) => [r.opId, r]));
}
