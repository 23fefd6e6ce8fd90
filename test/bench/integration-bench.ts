import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { v7 as uuidv7 } from 'uuid';
import { integrationBulkWriteResponseSchema, opResultSchema, type IntegrationWriteRequest } from '../../src-shared/contract/sync';
import { createApiKey } from '../../src-server/admin/devices';
import { count, eq } from 'drizzle-orm';
import { ops, students as studentsTable } from '../../src-server/db/schema';
import { seedDemo } from '../../src-server/demo/seed-demo';
import { startServer } from '../../src-server/serve';
import { openThrowawayDatabase, type Backend } from '../../src-server/testing/throwaway-database';
import { describeLoad, seconds } from './stats';

export interface IntegrationFigures {
  backend: Backend;
  items: number;
  bulkMs: number;
  singlesMs: number;
}

/**
 * The library's nightly feed of `size` students (issue 20): one bulk request of every student's
 * 还书 status beside the same writes as single calls, one after another as a campus script sends
 * them, on a server with a file-backed PGlite or the local PostgreSQL. Each side is checked to
 * have applied every item, so no figure comes from skipped work.
 */
export async function benchIntegration(backend: Backend, size: number): Promise<IntegrationFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-bench-integration-'));
  const pg = backend === 'postgres' ? await openThrowawayDatabase('postgres') : null;
  const server = await startServer(pg ? { url: pg.url! } : { dataDir: join(dir, 'server') }, { host: '127.0.0.1', port: 0, logger: false });
  try {
    const seeded = await seedDemo(server.database.db, size);
    const students = (await server.database.db.select({ studentNo: studentsTable.studentNo }).from(studentsTable)).map((s) => s.studentNo);
    const key = await createApiKey(server.database.db, 'bench-library', '图书馆系统', seeded.batch.id, ['return-books']);
    const headers = { 'x-api-key': key, 'content-type': 'application/json' };
    const items = (status: IntegrationWriteRequest['status']) => students.map((studentNo) => ({ opId: uuidv7(), studentNo, stepId: 'return-books', status }));
    console.log(`  ${backend}: ${students.length} students seeded (${describeLoad()})`);

    // Revokes of the auto step (the demo has most students passed), then passes back: each item
    // decided and stored as an op either way, and both sides are answered item by item.
    const bulkItems = items('pending');
    let t0 = performance.now();
    const res = await fetch(`${server.url}/api/integration/steps`, { method: 'POST', headers, body: JSON.stringify({ items: bulkItems }) });
    const answer = integrationBulkWriteResponseSchema.parse(await res.json());
    const bulkMs = performance.now() - t0;
    if (answer.results.length !== bulkItems.length) throw new Error(`bulk answered ${answer.results.length} of ${bulkItems.length}`);

    const singleItems = items('passed');
    let singlesApplied = 0;
    t0 = performance.now();
    for (const item of singleItems) {
      const one = await fetch(`${server.url}/api/integration/steps`, { method: 'POST', headers, body: JSON.stringify(item) });
      if (opResultSchema.parse(await one.json()).outcome === 'applied') singlesApplied += 1;
    }
    const singlesMs = performance.now() - t0;
    const [stored] = await server.database.db.select({ n: count() }).from(ops).where(eq(ops.deviceId, 'integration:bench-library'));
    if (stored!.n !== bulkItems.length + singleItems.length) throw new Error(`${stored!.n} ops stored for ${bulkItems.length + singleItems.length} items`);
    console.log(
      `  ${backend}: one request of ${bulkItems.length} items ${seconds(bulkMs)} (applied ${answer.counts.applied}, rejected ${answer.counts.rejected}); ` +
        `${singleItems.length} single calls ${seconds(singlesMs)} (applied ${singlesApplied})`,
    );
    return { backend, items: bulkItems.length, bulkMs, singlesMs };
  } finally {
    await server.close();
    await pg?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
