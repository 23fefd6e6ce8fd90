import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, stopGently } from '../integration/processes';
import type { SyncFigures } from './sync-bench';
import { seconds, timed } from './stats';
import type { SyncWorkload } from './sync-workload';

/** The little of PouchDB's API the comparison uses (the package ships no types). */
interface PouchDoc {
  _id: string;
  _rev?: string;
  [field: string]: unknown;
}
interface PouchDatabase {
  bulkDocs(docs: PouchDoc[]): Promise<{ ok?: boolean; error?: string }[]>;
  allDocs(options: { keys: string[]; include_docs: true }): Promise<{ rows: { doc?: PouchDoc }[] }>;
  info(): Promise<{ doc_count: number }>;
  close(): Promise<void>;
}
interface PouchStatic {
  new (name: string): PouchDatabase;
  replicate(from: PouchDatabase | string, to: PouchDatabase | string, options: object): Promise<{ docs_written: number }>;
}

const require = createRequire(import.meta.url);
const PouchDB = require('pouchdb') as PouchStatic;

/**
 * PouchDB's own replication tuning: 1,000 documents per batch instead of its default 100, which
 * made the first download several times slower still. Kept the same for every figure.
 */
const REPLICATION = { batch_size: 1000, batches_limit: 10 };
const DATABASE = 'clearance';

const studentId = (studentNo: string) => `student:${studentNo}`;
const stateId = (studentNo: string, stepId: string) => `state:${studentNo}:${stepId}`;

async function bulkInChunks(db: PouchDatabase, docs: PouchDoc[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 5000) {
    const results = await db.bulkDocs(docs.slice(i, i + 5000));
    const failed = results.find((r) => r.error);
    if (failed) throw new Error(`PouchDB refused a document: ${failed.error}`);
  }
}

/** Runs `pouch-server.ts` as its own process, like our server. */
async function startPouchServer(dir: string, port: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'pouch-server.ts'), dir, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  await new Promise<void>((ready, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && ready());
    child.on('exit', (code) => fail(new Error(`express-pouchdb exited (${code})`)));
  });
  return child;
}

/**
 * The classic offline-first stack on the same workload: one document per student and one per
 * step state (the unit two counters may change independently, as our rows), a PouchDB on LevelDB
 * per counter, express-pouchdb as the server, PouchDB's replication protocol in between.
 */
export async function benchPouchSync(workload: SyncWorkload): Promise<SyncFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-pouch-bench-'));
  const serverDir = join(dir, 'server');
  mkdirSync(serverDir);
  let server: Awaited<ReturnType<typeof startPouchServer>> | null = null;
  try {
    await timed(`server seeded (${workload.students.length} student + ${workload.states.length} state documents)`, async () => {
      const db = new PouchDB(join(serverDir, DATABASE));
      const time = new Date().toISOString();
      await bulkInChunks(
        db,
        workload.students.map((s) => ({ _id: studentId(s.studentNo), ...s })),
      );
      await bulkInChunks(
        db,
        workload.states.map((s, i) => ({
          _id: stateId(s.studentNo, s.stepId),
          ...s,
          updatedAt: time,
          updatedBy: 'B0001',
          updatedByName: '基准主管',
          lastOpId: `seed-${i}`,
        })),
      );
      await db.close();
    });
    const port = await freePort();
    server = await startPouchServer(serverDir, port);
    const remote = `http://127.0.0.1:${port}/${DATABASE}`;

    const counterA = new PouchDB(join(dir, 'counter-1'));
    const counterB = new PouchDB(join(dir, 'counter-2'));
    const first = await timed('first download into an empty database (counter 1)', () => PouchDB.replicate(remote, counterA, REPLICATION));
    await timed('first download (counter 2)', () => PouchDB.replicate(remote, counterB, REPLICATION));
    const expected = workload.students.length + workload.states.length;
    const downloaded = (await counterA.info()).doc_count;
    if (downloaded !== expected) throw new Error(`PouchDB downloaded ${downloaded} of ${expected} documents`);

    // A counter that has synced before holds a push checkpoint; without it the next push would
    // first compare every one of the 420,000 downloaded documents with the server.
    await timed('first push after the download (sets the push checkpoint)', () => PouchDB.replicate(counterA, remote, REPLICATION));

    await timed(`${workload.ops.length} operations made offline on counter 1 (local)`, async () => {
      const keys = workload.ops.map((o) => stateId(o.studentNo, o.stepId));
      const { rows } = await counterA.allDocs({ keys, include_docs: true });
      const now = new Date().toISOString();
      const changed = rows.map((row, i) => {
        const op = workload.ops[i]!;
        const doc = row.doc!;
        return {
          ...doc,
          status: op.kind === 'pass' ? 'passed' : 'pending',
          note: op.note,
          version: (doc.version as number) + 1,
          updatedAt: now,
          updatedBy: 'B0001',
          lastOpId: `op-${i}`,
        };
      });
      await bulkInChunks(counterA, changed);
    });
    const push = await timed(`${workload.ops.length} operations pushed (counter 1 → server)`, () => PouchDB.replicate(counterA, remote, REPLICATION));
    const pull = await timed('second counter pulls them (server → counter 2)', () => PouchDB.replicate(remote, counterB, REPLICATION));
    const noOps: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await PouchDB.replicate(counterA, remote, REPLICATION);
      await PouchDB.replicate(remote, counterA, REPLICATION);
      noOps.push(performance.now() - t0);
    }
    const noOp = noOps.sort((a, b) => a - b)[2]!;
    console.log(`  ${'a sync with nothing to do, both ways (median of 5)'.padEnd(58)} ${seconds(noOp).padStart(9)}`);

    const { rows } = await counterB.allDocs({ keys: workload.ops.map((o) => stateId(o.studentNo, o.stepId)), include_docs: true });
    const differing = rows.filter((r, i) => r.doc?.status !== (workload.ops[i]!.kind === 'pass' ? 'passed' : 'pending')).length;
    console.log(`  check: counter 2 differs from counter 1's changes in ${differing} documents`);
    if (differing !== 0) throw new Error('PouchDB replication did not move every change: its figures mean nothing');
    await counterA.close();
    await counterB.close();
    return { stack: 'PouchDB + express-pouchdb (LevelDB)', firstDownload: first.ms, push: push.ms, pushRound: push.ms, secondCounterPull: pull.ms, noOpSync: noOp };
  } finally {
    if (server) await stopGently(server);
    rmSync(dir, { recursive: true, force: true });
  }
}
