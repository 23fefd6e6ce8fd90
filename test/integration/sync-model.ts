import { copyFileSync, existsSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { applyMany } from '../../src-main/counter/mutate';
import { openReplica, readSession } from '../../src-main/db';
import { unackedOps } from '../../src-main/db/outbox';
import { SyncHttp } from '../../src-main/sync/server-http';
import { createApiKey } from '../../src-server/admin/devices';
import { conflicts as serverConflicts } from '../../src-server/db/schema';
import type { Backend } from '../../src-server/testing/throwaway-database';
import { propertyOptions, propertyTimeout } from '../property-options';
import { localView, SyncWorld, tokenOf, type Counter, type Relay } from './sync-world';

/**
 * The client under random schedules: three counters with real replicas, each behind its own
 * cuttable relay, doing random operator actions while going offline and online, losing push
 * answers after the server committed, crashing between commit and push, with a campus system
 * writing meanwhile. After everything settles, no op is lost or duplicated and every replica
 * equals the server. (The server's own invariants are test/integration/server-model.test.ts.)
 */

/** Runs in `npm test`; `FC_RUNS` raises it. */
const RUNS = 15;
const STUDENTS = ['2023000001', '2023000002', '2023000003', '2023000004'];
const OPERATORS = ['T-DORM', 'T-DORM', 'T-STU'];
const STEP_OF: Record<string, string> = { 'T-DORM': 'dorm-clearance', 'T-STU': 'return-student-card' };

type Command =
  | { type: 'act'; counter: number; kind: 'pass' | 'reject' | 'revoke'; student: number }
  | { type: 'sync'; counter: number }
  | { type: 'offline'; counter: number }
  | { type: 'online'; counter: number }
  | { type: 'lostAnswer'; counter: number }
  | { type: 'crash'; counter: number }
  | { type: 'integration'; student: number; status: 'passed' | 'rejected' | 'pending' };

const counterIx = fc.integer({ min: 0, max: OPERATORS.length - 1 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ type: fc.constant('act' as const), counter: counterIx, kind: fc.constantFrom('pass' as const, 'reject' as const, 'revoke' as const), student: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('sync' as const), counter: counterIx }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('offline' as const), counter: counterIx }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('online' as const), counter: counterIx }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('lostAnswer' as const), counter: counterIx }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('crash' as const), counter: counterIx }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('integration' as const), student: fc.integer({ min: 0, max: 3 }), status: fc.constantFrom('passed' as const, 'rejected' as const, 'pending' as const) }) },
);

let images = 0;

/**
 * What a kill leaves on disk, taken while the replica is still open: the database and its WAL as
 * they are (never checkpointed, never closed; synchronous=FULL put every commit there), and the
 * token beside them. The counter goes on from the copy; the original connection is just dropped.
 * A real SIGKILL per crash would spawn a process per command, too slow for a property run; the
 * process-level kill is in sync-client.ts and counter-crash-sync.ts.
 */
function crashImage(path: string): string {
  const image = `${path}.crash${++images}`;
  for (const suffix of ['', '-wal', '.token']) if (existsSync(path + suffix)) copyFileSync(path + suffix, image + suffix);
  expect(existsSync(`${path}-wal`)).toBe(true);
  return image;
}

/** One engine per test file, so each stays within its budget. */
export function syncModel(backend: Backend): void {
  describe(`sync client model on ${backend}`, () => {
    const world = new SyncWorld(backend);
    let apiKey = '';

    beforeAll(async () => {
      await world.start();
      apiKey = await createApiKey(world.server.database.db, 'library', '图书馆系统', world.batchId, ['return-books']);
    });
    afterAll(() => world.stop());

    it('after any schedule settles, every op is stored once, in order, and every replica equals the server', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 30 }), async (commands) => {
          const relays: Relay[] = [];
          const counters: Counter[] = [];
          for (const operator of OPERATORS) {
            const relay = await world.ownRelay();
            relays.push(relay);
            counters.push(await world.counter(operator, {}, relay));
          }
          const up = OPERATORS.map(() => true);
          for (const cmd of commands) {
            if (cmd.type === 'integration') {
              await fetch(`${world.server.url}/api/integration/steps`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
                body: JSON.stringify({ opId: uuidv7(), studentNo: STUDENTS[cmd.student], stepId: 'return-books', status: cmd.status, note: '系统同步' }),
              });
              continue;
            }
            const c = counters[cmd.counter]!;
            const relay = relays[cmd.counter]!;
            switch (cmd.type) {
              case 'act': {
                const operator = OPERATORS[cmd.counter]!;
                const session = readSession(c.replica.sqlite, c.replica.batch);
                applyMany(c.replica, session, [{ kind: cmd.kind, studentNo: STUDENTS[cmd.student]!, stepId: STEP_OF[operator]!, note: '模型测试' }], { onRefusal: 'skip' });
                break;
              }
              case 'sync':
                await c.client.sync().catch(() => undefined);
                break;
              case 'offline':
                if (up[cmd.counter]) await relay.down();
                up[cmd.counter] = false;
                break;
              case 'online':
                if (!up[cmd.counter]) await relay.up();
                up[cmd.counter] = true;
                break;
              case 'lostAnswer': {
                const ops = unackedOps(c.replica.sqlite, 1000);
                if (ops.length > 0) await new SyncHttp(relay.url, tokenOf(c.replica)).push(ops).catch(() => undefined);
                break;
              }
              case 'crash': {
                await c.client.stop();
                counters[cmd.counter] = world.wrap(openReplica(crashImage(c.replica.path)), {}, relay);
                break;
              }
            }
          }

          for (const [i, relay] of relays.entries()) if (!up[i]) await relay.up();
          // The first request after a cut may still ride a pooled connection the cut killed: a round fails, the next one goes through.
          const settle = async (c: Counter) => {
            for (let attempt = 1; ; attempt++) {
              try {
                return await c.client.sync();
              } catch (e) {
                if (attempt === 3) throw e;
              }
            }
          };
          for (let round = 0; round < 3; round++) for (const c of counters) await settle(c);

          const server = await world.serverView();
          const serverConflictIds = (await world.server.database.db.select().from(serverConflicts)).map((r) => r.id).sort((x, y) => x - y);
          for (const c of counters) {
            expect(c.client.status().unsent).toBe(0);
            const outbox = c.replica.sqlite.prepare('select device_seq, op_id, outcome from outbox order by device_seq').all() as {
              device_seq: number;
              op_id: string;
              outcome: string;
            }[];
            const stored = await world.serverOps(c.deviceId);
            expect(stored.map((o) => [o.deviceSeq, o.opId, o.outcome])).toEqual(outbox.map((o) => [o.device_seq, o.op_id, o.outcome]));
            expect(stored.map((o) => o.deviceSeq)).toEqual(stored.map((_, i) => i + 1));
            const view = localView(c.replica);
            for (const [key, local] of view) {
              expect({ key, ...local }).toEqual({ key, ...(server.get(key) ?? { status: 'pending', version: 0, note: '' }) });
            }
            for (const [key, row] of server) expect({ key, ...view.get(key) }).toEqual({ key, ...row });
            const localConflicts = (c.replica.sqlite.prepare('select id from conflicts order by id').all() as { id: number }[]).map((r) => r.id);
            expect(localConflicts).toEqual(serverConflictIds);
          }
          for (const c of counters) await c.client.stop();
        }),
        propertyOptions(RUNS),
      );
    }, propertyTimeout(RUNS, 2_000));
  });
}
