import { mkdtempSync, rmSync } from 'node:fs';
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
import { BACKENDS, openThrowawayDatabase, type ThrowawayDatabase } from '../../src-server/testing/throwaway-database';
import { freePort, killHard, startServerProcess } from './processes';

describe.each(BACKENDS)('server killed in the middle of a push, on %s', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-crash-'));
  let pg: ThrowawayDatabase | null = null;
  let target: DatabaseTarget;

  beforeAll(async () => {
    if (backend === 'postgres') {
      pg = await openThrowawayDatabase('postgres');
      target = { url: pg.url! };
      await seedDemo(pg.db, 300);
    } else {
      target = { dataDir: join(dir, 'server') };
      const database = await openDatabase(target);
      await seedDemo(database.db, 300);
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
    let server = await startServerProcess(target, port);
    try {
      const registered = await fetch(`${url}/api/devices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ operatorNo: 'S0004', password: DEMO_PASSWORD, name: '宿管柜台', batchId: '2027-bk' }),
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
      // Pushes in flight when the power goes: each either committed whole or not at all.
      const inFlight = [0, 1, 2, 3, 4, 5].map((i) => push(all.slice(i * studentNos.length, (i + 1) * studentNos.length)).catch(() => null));
      await new Promise((resolve) => setTimeout(resolve, 150));
      await killHard(server);
      await Promise.all(inFlight);
      const survived = await storedSeqs(device.deviceId);
      // A push is one transaction: the kill leaves whole pushes or none, in device order.
      expect(survived.length % studentNos.length).toBe(0);
      expect(survived).toEqual(all.slice(0, survived.length).map((o) => o.deviceSeq));

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
