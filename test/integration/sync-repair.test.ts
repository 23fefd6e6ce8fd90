import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplica } from '../../src-main/db';
import { latestVersion } from '../../src-main/db/migrate';
import { syncConflicts } from '../../src-main/sync/sync-handlers';
import { BACKENDS } from '../../src-server/testing/throwaway-database';
import { SyncWorld } from './sync-world';

const CS1 = '2023000001';
const CS2 = '2023000002';

/**
 * Issue 21, counters already stuck: a replica file as the build before the text rule left it
 * (schema version 2, a NUL and half an emoji in the notes of unsent ops) is opened by this
 * build, which repairs the ops, shows the repair, and syncs them.
 */
describe.each(BACKENDS)('an old replica with ops the server cannot store, on %s', (backend) => {
  const world = new SyncWorld(backend);
  let path: string;

  beforeAll(async () => {
    await world.start();
    const counter = await world.counter('T-DORM');
    path = counter.replica.path;
    counter.do([
      { kind: 'reject', studentNo: CS1, stepId: 'dorm-clearance', note: '证件损坏' },
      { kind: 'reject', studentNo: CS2, stepId: 'dorm-clearance', note: '钥匙' },
    ]);
    counter.replica.close();
    world.counters.length = 0;
    // What the old build wrote: the notes as typed, and a file at schema version 2.
    const old = new Database(path);
    const setNote = (studentNo: string, note: string) => {
      old.prepare('update outbox set args = ? where student_no = ?').run(JSON.stringify({ note }), studentNo);
      old.prepare("update step_states set note = ? where student_no = ? and step_id = 'dorm-clearance'").run(note, studentNo);
      old.prepare('update audit_log set note = ? where student_no = ?').run(note, studentNo);
    };
    setNote(CS1, '证件\u0000损坏');
    setNote(CS2, '钥匙\ud83d');
    // Version 3 (this repair) and every later migration undone: the columns they added are dropped.
    old.exec('alter table outbox drop column repaired_from');
    old.exec('alter table students drop column in_scope; alter table students drop column withdrawn_reason');
    old.exec('drop table restore_losses; drop table server_restores');
    old.exec('create index students_id_hash on students (id_hash); alter table outbox drop column session');
    old.pragma('user_version = 2');
    old.close();
  });
  afterAll(() => world.stop());

  it('repairs the unsent ops on open, keeps the originals, shows the repair, and syncs them', async () => {
    const counter = world.wrap(openReplica(path));
    const { sqlite } = counter.replica;
    expect(sqlite.pragma('user_version', { simple: true })).toBe(latestVersion());

    const outbox = sqlite.prepare('select student_no, args, repaired_from from outbox order by device_seq').all() as {
      student_no: string;
      args: string;
      repaired_from: string;
    }[];
    expect(outbox.map((r) => JSON.parse(r.args).note)).toEqual(['证件损坏', '钥匙\uFFFD']);
    expect(outbox.map((r) => JSON.parse(r.repaired_from).note)).toEqual(['证件\u0000损坏', '钥匙\ud83d']);
    expect(counter.state(CS1, 'dorm-clearance').note).toBe('证件损坏');
    // The audit log keeps what the old build recorded (SQLite itself cannot hold half an emoji).
    const audit = sqlite.prepare('select note from audit_log order by id').pluck().all();
    expect(audit[0]).toBe('证件\u0000损坏');

    const shown = syncConflicts(counter.replica).repaired;
    expect(shown.map((r) => [r.studentNo, r.stepName, r.note, r.original, r.sent])).toEqual([
      [CS2, '清理宿舍物品', '钥匙\uFFFD', '备注：钥匙[U+D83D]', false],
      [CS1, '清理宿舍物品', '证件损坏', '备注：证件[U+0000]损坏', false],
    ]);

    await counter.client.sync();
    expect(counter.client.status()).toMatchObject({ state: 'online', unsent: 0, stuck: null });
    const stored = await world.serverOps(counter.deviceId);
    expect(stored.map((o) => [o.studentNo, o.outcome, o.note])).toEqual([
      [CS1, 'applied', '证件损坏'],
      [CS2, 'applied', '钥匙\uFFFD'],
    ]);
    expect(syncConflicts(counter.replica).repaired.map((r) => r.sent)).toEqual([true, true]);
    // A second open finds nothing more to repair and leaves the record alone.
    counter.replica.close();
    world.counters.length = 0;
    const again = openReplica(path);
    expect(syncConflicts(again).repaired).toHaveLength(2);
    again.close();
  });
});
