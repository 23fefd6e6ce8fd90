import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { applyMany } from '../../src-main/counter/mutate';
import { currentSession } from '../../src-main/counter/session';
import { createReplica, openReplica } from '../../src-main/db';
import { integrityProblem } from '../../src-main/db/integrity';
import { takeDailyBackup } from '../../src-main/db/replica-backups';
import { demoSession, loadDemoBatch } from '../../src-main/demo/demo-replica';
import { writeRescueFile } from '../../src-main/sync/rescue-file';
import { generateRoster } from '../../src-shared/demo/roster';
import { report, timeEach, timed } from './stats';

/**
 * What issue 14's protections cost a counter at start and while it works, on a replica of 20,000
 * students with 5,000 unsent ops: the integrity check every start pays, the whole open, the
 * daily online backup, and a rescue file of every unsent op.
 */
export async function benchReplicaFiles(size = 20_000, unsent = 5_000): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-bench-files-'));
  try {
    const batch = loadDemoBatch();
    const { students, initial } = generateRoster(batch, { seed: 7, size });
    const path = join(dir, 'counter.db');
    const replica = createReplica(path, batch, students, initial, demoSession(batch));
    const pending = replica.sqlite
      .prepare("select student_no, step_id from step_states where status = 'pending' and step_id = 'dorm-clearance' limit ?")
      .all(unsent) as { student_no: string; step_id: string }[];
    applyMany(replica, currentSession(replica), pending.map((r) => ({ kind: 'pass' as const, studentNo: r.student_no, stepId: r.step_id, note: '' })), { onRefusal: 'skip' });
    replica.close();
    console.log(`  replica: ${(statSync(path).size / 2 ** 20).toFixed(1)} MB, ${pending.length} unsent ops`);

    const checks = [1, 2, 3, 4, 5].map(() => {
      const opened = openReplica(path);
      const t0 = performance.now();
      integrityProblem(opened.sqlite);
      const ms = performance.now() - t0;
      opened.close();
      return ms;
    });
    report('replica quick_check (part of the open below)', checks);
    report('replica open (quick_check, migrations, batch)', timeEach([1, 2, 3, 4, 5], () => openReplica(path).close()));
    const open = openReplica(path);
    await timed('daily backup (online backup of the open replica)', () => takeDailyBackup(open.sqlite, path, new Date()));
    open.close();
    await timed(`rescue file of ${pending.length} unsent ops`, () => writeRescueFile(path, new Date()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
