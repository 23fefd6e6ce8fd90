import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateRoster } from '../../src-shared/demo/roster';
import { parseBatchDefinitionText } from '../../src-shared/domain/batch-definition';
import { applyOps } from '../../src-main/counter/mutate';
import { currentSession } from '../../src-main/counter/session';
import { createReplica, type Replica } from '../../src-main/db';

/** Replica files for the tests of issue 14: one with unsent ops, and damage as a failing disk does it. */

const demo = parseBatchDefinitionText(readFileSync(join(import.meta.dirname, '../../resources/demo-batch.json'), 'utf8'));

/** A small demo replica (30 students) with `unsent` passes of 宿舍清理 not yet sent. */
export function replicaWithUnsentOps(path: string, deviceId: string, unsent = 2): Replica {
  const { students, initial } = generateRoster(demo, { seed: 11, size: 30 });
  const replica = createReplica(path, demo, students, initial, {
    deviceId,
    operator: { id: 'op-1', name: '王老师' },
    grants: demo.checkpoints.map((cp) => ({ checkpointId: cp.id, colleges: 'all' })),
    checkpointId: 'dorm',
  });
  const pending = replica.sqlite.prepare("select student_no from step_states where step_id = 'dorm-clearance' and status = 'pending' limit ?").pluck().all(unsent) as string[];
  const { refusals } = applyOps(replica, currentSession(replica), pending.map((studentNo) => ({ kind: 'pass' as const, studentNo, stepId: 'dorm-clearance', note: '' })));
  if (refusals.length > 0 || pending.length !== unsent) throw new Error(`the demo roster gave ${pending.length} of ${unsent} unsent ops`);
  return replica;
}

/**
 * Damages a closed replica file the way a failing disk does: one page overwritten with
 * garbage. The page is the root of the named index or table, so the test knows what is lost.
 */
export function damagePage(path: string, btree: string): void {
  const sqlite = new Database(path);
  // Everything in the main file, so the page is read from there and nowhere else.
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
  const root = sqlite.prepare('select rootpage from sqlite_master where name = ?').pluck().get(btree) as number | undefined;
  sqlite.close();
  if (!root) throw new Error(`no b-tree named ${btree} in ${path}`);
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}
