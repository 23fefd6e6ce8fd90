import { readFileSync } from 'node:fs';
import { generateRoster } from '../../src-shared/demo/roster';
import type { BatchDef } from '../../src-shared/domain/types';
import { createBatch } from '../../src-server/admin/batches';
import { storeRoster } from '../../src-server/admin/roster-store';
import { DEMO_BATCH_FILE, DEMO_SEED } from '../../src-server/demo/seed-demo';
import { startStudentSession } from '../../src-server/student-auth/sessions';
import { startTestServer } from '../../src-server/testing/test-server';
import { describeLoad, percentile } from './stats';

/**
 * The student page under a crowd: `size` demo students, each with a live session, all asking for
 * their status at the same moment (what happens when a notice tells everyone to look), against
 * one server on PGlite. Sessions are made directly: the figure is the refresh, not 2,000 scrypt
 * sign-ins. Client and server share this process, so the figures include the client's own work.
 */
export async function benchStudentPage(size = 2000, rounds = 3): Promise<void> {
  const server = await startTestServer('pglite');
  try {
    const def = await createBatch(server.database.db, JSON.parse(readFileSync(DEMO_BATCH_FILE, 'utf8')) as BatchDef);
    const roster = generateRoster(def, { seed: DEMO_SEED, size });
    await storeRoster(server.database.db, server.batches, def.id, roster.students, roster.initial);
    const cookies: string[] = [];
    for (const s of roster.students) cookies.push(`lxs_session=${await startStudentSession(server.database.db, { batchId: def.id, studentNo: s.studentNo })}`);
    for (let round = 1; round <= rounds; round++) {
      const latencies: number[] = [];
      let failed = 0;
      const started = performance.now();
      await Promise.all(
        cookies.map(async (cookie) => {
          const t0 = performance.now();
          const res = await fetch(`${server.url}/student/api/status.get`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{}' });
          await res.arrayBuffer();
          if (res.status !== 200) failed++;
          latencies.push(performance.now() - t0);
        }),
      );
      const wall = performance.now() - started;
      console.log(
        `  round ${round}: ${size} students at once: p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, ` +
          `max ${Math.max(...latencies).toFixed(0)} ms, ${((size / wall) * 1000).toFixed(0)} req/s, ${failed} failed (${describeLoad()})`,
      );
    }
  } finally {
    await server.close();
  }
}
