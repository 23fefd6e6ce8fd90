import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateRoster } from '../../src-shared/demo/roster';
import { parseBatchDefinitionText } from '../../src-shared/domain/batch-definition';
import { createReplica, openReplica } from '../../src-main/db';

const root = resolve(__dirname, '../..');
const batch = parseBatchDefinitionText(readFileSync(join(root, 'resources/demo-batch.json'), 'utf8'));

/**
 * A child process that writes through the mutation path until it is killed with SIGKILL: first
 * one op per transaction, then a single transaction over every student.
 */
const writer = `
import { openReplica } from ${JSON.stringify(join(root, 'src-main/db/index.ts'))};
import { readSession } from ${JSON.stringify(join(root, 'src-main/db/session-store.ts'))};
import { applyMany, applyOps } from ${JSON.stringify(join(root, 'src-main/counter/mutate.ts'))};
const replica = openReplica(process.argv[1]);
const session = readSession(replica.sqlite, replica.batch);
const nos = replica.sqlite.prepare('select student_no from students order by student_no').all().map((r) => r.student_no);
process.stdout.write('ready\\n');
for (const studentNo of nos.slice(0, 200)) applyOps(replica, session, [{ kind: 'pass', studentNo, stepId: 'dorm-clearance' }]);
process.stdout.write('big\\n');
for (;;) {
  applyMany(replica, session, nos.map((studentNo) => ({ kind: 'pass', studentNo, stepId: 'electricity' })), { onRefusal: 'skip' });
  applyMany(replica, session, nos.map((studentNo) => ({ kind: 'revoke', studentNo, stepId: 'electricity', note: '复核' })), { onRefusal: 'skip' });
}
`;

function runUntilKilled(path: string, killAfter: 'ready' | 'big', delayMs: number): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writer, path], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes(`${killAfter}\n`)) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? done() : fail(new Error(`writer ended without being killed:\n${err}`))));
  });
}

function expectConsistent(path: string): number {
  const replica = openReplica(path);
  try {
    const seqs = (replica.sqlite.prepare('select device_seq from outbox order by device_seq').all() as { device_seq: number }[]).map(
      (r) => r.device_seq,
    );
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const audit = replica.sqlite.prepare('select count(*) as n from audit_log where op_id in (select op_id from outbox)').get() as { n: number };
    expect(audit.n).toBe(seqs.length);
    const orphans = replica.sqlite.prepare('select count(*) as n from audit_log where op_id not in (select op_id from outbox)').get() as { n: number };
    expect(orphans.n).toBe(0);
    // Every version step of a state is one op: state and outbox moved together or not at all.
    const versions = replica.sqlite.prepare('select coalesce(sum(version), 0) as n from step_states').get() as { n: number };
    expect(versions.n).toBe(seqs.length);
    const mismatched = replica.sqlite
      .prepare(
        `select count(*) as n from step_states st
         where st.version > 0 and st.status <> (select case o.kind when 'pass' then 'passed' when 'reject' then 'rejected' else 'pending' end
                                                from outbox o where o.student_no = st.student_no and o.step_id = st.step_id
                                                order by o.device_seq desc limit 1)`,
      )
      .get() as { n: number };
    expect(mismatched.n).toBe(0);
    return seqs.length;
  } finally {
    replica.close();
  }
}

describe('killed mid-write', () => {
  it('keeps state, outbox and audit in step after SIGKILL, in small and large transactions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lixiao-kill-'));
    const path = join(dir, 'counter.db');
    const { students, initial } = generateRoster(batch, { seed: 9, size: 1500 });
    createReplica(path, batch, students, initial.filter((s) => s.stepId !== 'dorm-clearance' && s.stepId !== 'electricity'), {
      deviceId: 'counter-1',
      operator: { id: 'op-1', name: '王老师' },
      grants: [
        { checkpointId: 'dorm', colleges: 'all' },
        { checkpointId: 'utilities', colleges: 'all' },
      ],
    }).close();

    await runUntilKilled(path, 'ready', 40);
    const afterSmall = expectConsistent(path);
    await runUntilKilled(path, 'big', 700);
    const afterBig = expectConsistent(path);
    // The 200 one-op transactions all committed before the big ones started.
    expect(afterBig).toBeGreaterThanOrEqual(200);
    expect(afterBig).toBeGreaterThanOrEqual(afterSmall);
  }, 120_000);
});
