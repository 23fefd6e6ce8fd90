import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startBackendWorker } from '../../src-main/backend/client';
import { ensureDemoReplica } from '../../src-main/demo/demo-replica';

// The bundled worker that the Electron app starts (out/main/backend-worker.js), run in a Node
// worker thread: proves the build output, not just the sources, opens a replica and answers.
test('the built back-end worker answers the counter API', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-bundle-'));
  const dbPath = join(dir, 'counter.db');
  ensureDemoReplica({ path: dbPath, size: 50 }).replica.close();
  const backend = await startBackendWorker({
    workerPath: join(import.meta.dirname, '../../out/main/backend-worker.js'),
    dbPath,
  });
  const stats = await backend.call('stats.checkpoint', {});
  expect(stats.ok).toBe(true);
  const line = (stats as { value: { checkpoint: { total: number; previousTotal: number } } }).value.checkpoint;
  expect(line.total + line.previousTotal).toBe(50);
  await backend.close();
});
