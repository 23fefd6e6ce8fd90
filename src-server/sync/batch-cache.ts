import { eq } from 'drizzle-orm';
import { BatchIndex } from '../../src-shared/domain/batch';
import type { BatchDef } from '../../src-shared/domain/types';
import type { Executor } from '../db/database';
import { batches } from '../db/schema';

export interface LoadedBatch {
  id: string;
  name: string;
  def: BatchDef;
  index: BatchIndex;
  /**
   * The same batch with every step manual. Integrations (library, finance) own their "auto"
   * steps, so their writes are checked by the shared evaluator as if those were counter steps.
   */
  integrationIndex: BatchIndex;
  idHashKey: string;
}

/** Batch definitions never change once created, so each is read from the database once. */
export class BatchCache {
  private readonly loaded = new Map<string, LoadedBatch>();

  async get(exec: Executor, batchId: string): Promise<LoadedBatch | null> {
    const hit = this.loaded.get(batchId);
    if (hit) return hit;
    const [row] = await exec.select().from(batches).where(eq(batches.id, batchId));
    if (!row) return null;
    const def = row.definition;
    const manual: BatchDef = {
      ...def,
      checkpoints: def.checkpoints.map((cp) => ({ ...cp, steps: cp.steps.map((s) => ({ ...s, mode: 'manual' as const })) })),
    };
    const batch: LoadedBatch = {
      id: row.id,
      name: row.name,
      def,
      index: new BatchIndex(def),
      integrationIndex: new BatchIndex(manual),
      idHashKey: row.idHashKey,
    };
    this.loaded.set(batchId, batch);
    return batch;
  }
}
