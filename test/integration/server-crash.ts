import { mkdtempSync, rmSync } from 'node:fs';
import { registrationCode } from '../../src-server/testing/fixtures';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import type { Op } from '../../src-shared/contract/ops';
import { pushResponseSchema, registerDeviceResponseSchema } from '../../src-shared/contract/sync';
import { openDatabase, type DatabaseTarget } from '../../src-server/db/database';
import { eq } from 'drizzle-orm';
import { ops } from '../../src-server/db/schema';
import { seedDemo, DEMO_PASSWORD } from '../../src-server/demo/seed-demo';
import { openThrowawayDatabase, type Backend, type ThrowawayDatabase } from '../../src-server/testing/throwaway-database';
import { freePort, killHard, startServerProcess } from './processes';

/** One engine per test file, so the two engines run on separate workers and no file passes its 60 s budget. */
export function serverCrash(backend: Backend): void {
  describe(`server killed in the middle of a push, on ${backend}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lixiao-crash-'));
    let pg: ThrowawayDatabase | null = null;
    let target: DatabaseTarget;
    /** Issued before the server process holds the database (PGlite: one process per folder). */
    let code = '';

    beforeAll(async () => {
      if (backend === 'postgres') {
        pg = await openThrowawayDatabase('postgres');
        target = { url: pg.url! };
        await seedDemo(pg.db, 300);
        code = await registrationCode(pg.db);
      } else {
        target = { dataDir: join(dir, 'server') };
        const database = await openDatabase(target);
        await seedDemo(database.db, 300);
        code = await registrationCode(database.db);
        await database.close();
      }
    });
    afterAll(async () => {
      await pg?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function storedSeqs(deviceId: string): Promise<number[]> {
      const database = await openDatabase(target);
      try {
        const rows = await database.db.select({ deviceSeq: ops.deviceSeq }).from(ops).where(eq(ops.deviceId, deviceId)).orderBy(ops.deviceSeq);
        return rows.map((r) => r.deviceSeq);
      } finally {
        await database.close();
      }
    }

    it('keeps whole pushes or none, and stores every op exactly once after a restart and a retry', async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      // The third push that stores ops stops before its commit, every row written, until the kill.
      let server = await startServerProcess(target, port, { preload: './test/integration/push-pause.ts', env: { LIXIAO_PAUSE_AT_PUSH: '3' } });
      try {
        const registered = await fetch(`${url}/api/devices`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ operatorNo: 'S0004', password: DEMO_PASSWORD, name: '宿管柜台', batchId: '2027-bk', registrationCode: code }),
        });
        const device = registerDeviceResponseSchema.parse(await registered.json());
        const snapshot = await (await fetch(`${url}/api/sync/snapshot`, { headers: { authorization: `Bearer ${device.token}` } })).text();
        const studentNos = snapshot
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { type: string; studentNo?: string })
          .filter((l) => l.type === 'student')
          .map((l) => l.studentNo!);
        const all: Op[] = [];
        for (let round = 0; round < 6; round++) {
          for (const studentNo of studentNos) {
            all.push({
              opId: uuidv7(),
              deviceId: device.deviceId,
              deviceSeq: all.length + 1,
              operatorId: 'S0004',
              kind: round % 2 === 0 ? 'pass' : 'revoke',
              studentNo,
              stepId: 'dorm-clearance',
              args: { note: round % 2 === 0 ? '' : '复查' },
              base: { version: round },
              clientTime: new Date().toISOString(),
            });
          }
        }
        const push = (list: Op[]) =>
          fetch(`${url}/api/sync/push`, {
            method: 'POST',
            headers: { authorization: `Bearer ${device.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ ops: list }),
          });
        const pushOf = (i: number) => push(all.slice(i * studentNos.length, (i + 1) * studentNos.length));
        for (const i of [0, 1]) expect((await pushOf(i)).status).toBe(200);
        // The power goes while the third push is inside its transaction, the later ones waiting behind it.
        const paused = server.prints(/paused in push transaction/);
        const inFlight = [2, 3, 4, 5].map((i) => pushOf(i).catch(() => null));
        await paused;
        await killHard(server);
        await Promise.all(inFlight);
        // A push is one transaction: the two committed pushes survive whole, the interrupted one not at all.
        expect(await storedSeqs(device.deviceId)).toEqual(all.slice(0, 2 * studentNos.length).map((o) => o.deviceSeq));

        server = await startServerProcess(target, port);
        for (let i = 0; i < all.length; i += 500) {
          const res = await push(all.slice(i, i + 500));
          expect(res.status).toBe(200);
          pushResponseSchema.parse(await res.json());
        }
        await killHard(server);
        expect(await storedSeqs(device.deviceId)).toEqual(all.map((o) => o.deviceSeq));
      } finally {
        if (server.exitCode === null && server.signalCode === null) await killHard(server);
      }
    }, 240_000);
  });
}
