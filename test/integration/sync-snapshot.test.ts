import { registrationCode } from '../../src-server/testing/fixtures';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createReplica, type Replica } from '../../src-main/db';
import { demoSession } from '../../src-main/demo/demo-replica';
import { connectCounter } from '../../src-main/sync/connect';
import { generateRoster } from '../../src-shared/demo/roster';
import { DEMO_PASSWORD, DEMO_SEED, demoOperators, seedDemo } from '../../src-server/demo/seed-demo';
import { writeSnapshot } from '../../src-server/sync/snapshot';
import { startTestServer } from '../../src-server/testing/test-server';
import { BACKENDS } from '../../src-server/testing/throwaway-database';

const SIZE = 400;

function localView(replica: Replica) {
  return replica.sqlite.prepare('select student_no, step_id, status, note from step_states order by student_no, step_id').all();
}

/**
 * The first download builds the local view in bulk (states many per statement, the missing and
 * ruled-out steps in one set-based statement at the end). It must give exactly the rows a
 * replica built row by row from the same roster and statuses has: every student × step, 'na'
 * where the flags rule a step out, the server's status and note elsewhere.
 */
describe.each(BACKENDS)('snapshot download into an empty replica (%s)', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-snapshot-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same local view as a replica built from the roster itself', async () => {
    const server = await startTestServer(backend);
    try {
      const seeded = await seedDemo(server.database.db, SIZE);
      const downloaded = await connectCounter({
        serverUrl: server.url,
        operatorNo: 'A0001',
        password: DEMO_PASSWORD,
        counterName: '快照校验',
        batchId: seeded.batch.id,
        path: join(dir, `${backend}-downloaded.db`),
        registrationCode: await registrationCode(server.database.db),
      });
      const roster = generateRoster(seeded.batch, { seed: DEMO_SEED, size: SIZE });
      const built = createReplica(join(dir, `${backend}-built.db`), seeded.batch, roster.students, roster.initial, demoSession(seeded.batch));
      try {
        const expected = localView(built);
        expect(expected).toHaveLength(SIZE * seeded.batch.checkpoints.flatMap((c) => c.steps).length);
        expect(expected.some((r) => (r as { status: string }).status === 'na')).toBe(true);
        expect(expected.some((r) => (r as { status: string }).status === 'passed')).toBe(true);
        expect(localView(downloaded)).toEqual(expected);
        const serverRows = downloaded.sqlite.prepare('select count(*) as n from server_step_states').get() as { n: number };
        expect(serverRows.n).toBe(roster.initial.length);

        // The same snapshot read in pages of 7 rows: the page boundaries (keys carried from one
        // page to the next) must neither skip nor repeat a row.
        const batch = (await server.batches.get(server.database.db, seeded.batch.id))!;
        const supervisor = demoOperators(seeded.batch)[0]!;
        const device = {
          id: 'snapshot-paging',
          name: '分页校验',
          batchId: batch.id,
          operators: new Map([
            [supervisor.operatorNo, { ...supervisor, grants: supervisor.grants.map((g) => ({ checkpointId: g.checkpointId, colleges: 'all' as const })) }],
          ]),
        };
        const read = async (pageSize?: number) => {
          let text = '';
          await writeSnapshot(server.database.db, batch, device, (chunk) => (text += chunk), pageSize);
          return text;
        };
        const whole = await read();
        expect(whole.split('\n').filter((l) => l.startsWith('{"type":"state"'))).toHaveLength(roster.initial.length);
        expect(await read(7)).toBe(whole);
      } finally {
        downloaded.close();
        built.close();
      }
    } finally {
      await server.close();
    }
  });
});
