import { eq } from 'drizzle-orm';
import { parseBatchDefinition } from '../../src-shared/domain/batch-definition';
import type { BatchDef } from '../../src-shared/domain/types';
import type { Executor } from '../db/database';
import { batches } from '../db/schema';
import { newIdHashKey } from '../auth/tokens';
import { AdminError } from './admin-error';

/** Creates a batch from a definition (validated by the shared parser). Batches are immutable. */
export async function createBatch(exec: Executor, definition: unknown): Promise<BatchDef> {
  const def = parseBatchDefinition(definition);
  const [existing] = await exec.select({ id: batches.id }).from(batches).where(eq(batches.id, def.id));
  if (existing) throw new AdminError(`批次 "${def.id}" 已存在；批次创建后不能修改，如需调整请使用新的批次编号`);
  await exec.insert(batches).values({ id: def.id, name: def.name, definition: def, idHashKey: newIdHashKey() });
  return def;
}

export async function listBatches(exec: Executor): Promise<{ id: string; name: string; definition: BatchDef }[]> {
  return exec.select({ id: batches.id, name: batches.name, definition: batches.definition }).from(batches).orderBy(batches.id);
}

export async function requireBatch(exec: Executor, batchId: string): Promise<{ id: string; name: string; definition: BatchDef; idHashKey: string }> {
  const [row] = await exec.select().from(batches).where(eq(batches.id, batchId));
  if (!row) throw new AdminError(`没有编号为 "${batchId}" 的批次`);
  return row;
}
