import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { integrationBulkWriteResponseSchema } from '../../src-shared/contract/sync';
import { createApiKey } from '../../src-server/admin/devices';
import { openDatabase, type DatabaseTarget } from '../../src-server/db/database';
import { ops, students } from '../../src-server/db/schema';
import { seedDemo } from '../../src-server/demo/seed-demo';
import { INTEGRATION_CHUNK } from '../../src-server/apply/integration-writes';
import { openThrowawayDatabase, type Backend, type ThrowawayDatabase } from '../../src-server/testing/throwaway-database';
import { freePort, killHard, startServerProcess } from './processes';

/** One engine per test file, so each file stays inside its budget. */
export function integrationCrash(backend: Backend): void {
  describe(`server killed in the middle of a bulk integration write, on ${backend}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lixiao-integration-crash-'));
    let pg: ThrowawayDatabase | null = null;
    let target: DatabaseTarget;
    let apiKey: string;
    let studentNos: string[];

    beforeAll(async () => {
      target = backend === 'postgres' ? { url: (pg = await openThrowawayDatabase('postgres')).url! } : { dataDir: join(dir, 'server') };
      const database = await openDatabase(target);
      try {
        const seeded = await seedDemo(database.db, 300);
        apiKey = await createApiKey(database.db, 'nightly-library', '图书馆夜间同步', seeded.batch.id, ['return-books']);
        studentNos = (await database.db.select({ no: students.studentNo }).from(students)).map((s) => s.no);
      } finally {
        await database.close();
      }
    });
    afterAll(async () => {
      await pg?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function storedOpIds(): Promise<{ opId: string; deviceSeq: number }[]> {
      const database = await openDatabase(target);
      try {
        return await database.db
          .select({ opId: ops.opId, deviceSeq: ops.deviceSeq })
          .from(ops)
          .where(eq(ops.deviceId, 'integration:nightly-library'))
          .orderBy(asc(ops.deviceSeq));
      } finally {
        await database.close();
      }
    }

    it('keeps whole chunks or none, and the resend of the same body stores every item exactly once', async () => {
      const total = INTEGRATION_CHUNK + 500;
      const items = Array.from({ length: total }, (_, i) => ({
        opId: uuidv7(),
        studentNo: studentNos[i % studentNos.length]!,
        stepId: 'return-books',
        status: Math.floor(i / studentNos.length) % 2 === 0 ? 'rejected' : 'passed',
      }));
      const body = JSON.stringify({ items });
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/api/integration/steps`;
      const send = () => fetch(url, { method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body });
      // The second chunk's transaction stops before its commit, every row written, until the kill.
      let server = await startServerProcess(target, port, { preload: './test/integration/push-pause.ts', env: { LIXIAO_PAUSE_AT_PUSH: '2' } });
      try {
        const paused = server.prints(/paused in push transaction/);
        const inFlight = send().catch(() => null);
        await paused;
        await killHard(server);
        expect(await inFlight).toBeNull();
        // The first chunk committed whole; the interrupted one left nothing.
        expect(await storedOpIds()).toEqual(items.slice(0, INTEGRATION_CHUNK).map((item, i) => ({ opId: item.opId, deviceSeq: i + 1 })));

        server = await startServerProcess(target, port);
        const res = await send();
        expect(res.status).toBe(200);
        const answer = integrationBulkWriteResponseSchema.parse(await res.json());
        expect(answer.counts).toMatchObject({ total, duplicates: INTEGRATION_CHUNK });
        expect(answer.results.map((r) => r.opId)).toEqual(items.map((i) => i.opId));
        await killHard(server);
        expect(await storedOpIds()).toEqual(items.map((item, i) => ({ opId: item.opId, deviceSeq: i + 1 })));
      } finally {
        if (server.exitCode === null && server.signalCode === null) await killHard(server);
      }
    }, 240_000);
  });
}
