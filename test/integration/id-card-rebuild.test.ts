import { createHmac } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRoster } from '../../src-shared/demo/roster';
import { parseBatchDefinitionText } from '../../src-shared/domain/batch-definition';
import { createReplica, openReplica } from '../../src-main/db';
import { applyPulledPage } from '../../src-main/db/pulled-rows';
import { createCounterService } from '../../src-main/counter/service';
import { MIGRATIONS } from '../../src-main/db/migrations';
import { preMigrationBackupPath } from '../../src-main/db/replica-backups';
import { CounterRuntime } from '../../src-main/sync/counter-runtime';
import { keyCandidates, previousMask, readStoredIds, rebuildIds, rewriteAsPreviousRelease, type AttackerKnowledge } from './id-card-attack';

const batch = parseBatchDefinitionText(readFileSync(join(__dirname, '../../resources/demo-batch.json'), 'utf8'));
const { students, initial } = generateRoster(batch, { seed: 14, size: 300 });
const session = {
  deviceId: 'counter-id-attack',
  operator: { id: 'op-1', name: '王老师' },
  grants: batch.checkpoints.map((cp) => ({ checkpointId: cp.id, colleges: 'all' as const })),
};
const birthYears = students.map((s) => Number(s.idCard.slice(6, 10)));
/** Generous: every region code and birth year the roster really uses, as if the attacker knew the intake. */
const knowledge: AttackerKnowledge = {
  regions: [...new Set(students.map((s) => s.idCard.slice(0, 6)))],
  years: Array.from({ length: Math.max(...birthYears) - Math.min(...birthYears) + 1 }, (_, i) => Math.min(...birthYears) + i),
};
/** The schema version of the release before the 身份证号 were stored less (migration 6). */
const previous = Math.max(...MIGRATIONS.map((m) => m.version).filter((v) => v < 6));

/** What leaves the office on a USB stick: the replica and its WAL, not the key store beside them. */
function steal(path: string, into: string): string {
  mkdirSync(into, { recursive: true });
  const stolen = join(into, 'stolen.db');
  copyFileSync(path, stolen);
  if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${stolen}-wal`);
  return stolen;
}

function bytesOf(path: string): string {
  return [path, `${path}-wal`]
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f).toString('latin1'))
    .join('');
}

describe('a replica file alone does not give the 身份证号 back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-id-attack-'));
  const path = join(dir, 'counter.db');
  let key = '';
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(() => {
    createReplica(path, batch, students, initial, session).close();
    key = rewriteAsPreviousRelease(path, students, previous);
  });

  it('the previous layout gives every number away: the mask and last 6 leave ~5 candidates, the key in the file picks one', () => {
    const stolen = steal(path, join(dir, 'old'));
    const result = rebuildIds(readStoredIds(stolen), knowledge, keyCandidates(stolen));
    expect(result.key).toBe(key);
    expect(result.rebuilt.size).toBe(students.length);
    for (const s of students) expect(result.rebuilt.get(s.studentNo)).toBe(s.idCard);
  });

  it('after the update (migration 6 and the key moved out) the same attack rebuilds nothing, and the desk still finds every number', async () => {
    const runtime = new CounterRuntime({ path });
    await runtime.ready;
    for (const s of students.slice(0, 40)) {
      const found = await runtime.dispatch('students.lookup', { text: s.idCard });
      expect(found.ok && (found.value as { students: { studentNo: string }[] }).students.map((x) => x.studentNo)).toContain(s.studentNo);
      const searched = await runtime.dispatch('students.search', { idCard: s.idCard });
      expect(searched.ok && (searched.value as { rows: { studentNo: string }[] }).rows.map((x) => x.studentNo)).toContain(s.studentNo);
    }
    const byLast6 = await runtime.dispatch('students.lookup', { text: students[0]!.idCard.slice(-6) });
    expect(byLast6.ok && (byLast6.value as { students: { studentNo: string }[] }).students.map((x) => x.studentNo)).toContain(students[0]!.studentNo);
    await runtime.close();

    expect(readFileSync(`${path}.idkey`, 'utf8')).toBe(key);
    expect(statSync(`${path}.idkey`).mode & 0o777).toBe(0o600);

    const stolen = steal(path, join(dir, 'new'));
    const rows = readStoredIds(stolen);
    const idOf = new Map(students.map((s) => [s.studentNo, s.idCard]));
    for (const row of rows) {
      expect(row.masked).toBe(`**************${idOf.get(row.studentNo)!.slice(-4)}`);
      expect(row.hash).toMatch(/^[0-9a-f]$/);
    }
    expect(keyCandidates(stolen)).toEqual([]);
    const result = rebuildIds(rows, knowledge, keyCandidates(stolen));
    expect(result.key).toBeNull();
    expect(result.rebuilt.size).toBe(0);
    // Not even in freed pages: VACUUM rewrote the file after the key and the old fields were removed.
    const bytes = bytesOf(stolen);
    expect(bytes).not.toContain(key);
    for (const s of students) expect(bytes).not.toContain(previousMask(s.idCard));
  });

  it('the copy kept before migrating is scrubbed the same way, and stays at its old version', () => {
    const copy = preMigrationBackupPath(path, previous);
    expect(existsSync(copy)).toBe(true);
    const db = new Database(copy, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(previous);
    expect(db.prepare("select value from meta where key = 'idHashKey'").get()).toBeUndefined();
    db.close();
    const stolen = steal(copy, join(dir, 'copy'));
    const result = rebuildIds(readStoredIds(stolen), knowledge, keyCandidates(stolen));
    expect(result.key).toBeNull();
    expect(result.rebuilt.size).toBe(0);
    const bytes = bytesOf(stolen);
    expect(bytes).not.toContain(key);
    for (const s of students.slice(0, 50)) expect(bytes).not.toContain(previousMask(s.idCard));
  });

  it('even with the key as well (a stolen keyring), one hash digit leaves every student among many candidates', () => {
    const result = rebuildIds(readStoredIds(path), knowledge, [], key);
    expect(result.rebuilt.size).toBe(0);
    expect(Math.min(...result.remaining)).toBeGreaterThanOrEqual(2);
    const sorted = [...result.remaining].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeGreaterThanOrEqual(5);
  });
});

describe('a stop between moving the key and rewriting the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-id-stop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is finished at the next start: the file and the pre-migration copy are rewritten then', async () => {
    const path = join(dir, 'counter.db');
    createReplica(path, batch, students.slice(0, 60), [], session).close();
    const key = rewriteAsPreviousRelease(path, students.slice(0, 60), previous);
    // The first start got as far as the key's deletion: migrated, key in its store, nothing rewritten.
    const replica = openReplica(path);
    writeFileSync(`${path}.idkey`, key, { mode: 0o600 });
    replica.sqlite.transaction(() => {
      replica.sqlite.prepare("delete from meta where key = 'idHashKey'").run();
      replica.sqlite.prepare("insert into meta (key, value) values ('idScrubPending', '1')").run();
    })();
    replica.close();
    expect(bytesOf(preMigrationBackupPath(path, previous))).toContain(key);

    const runtime = new CounterRuntime({ path });
    await runtime.ready;
    await runtime.close();
    const bytes = bytesOf(path);
    for (const s of students.slice(0, 60)) expect(bytes).not.toContain(previousMask(s.idCard));
    const db = new Database(path, { readonly: true });
    expect(db.prepare("select key from meta where key in ('idScrubPending', 'idHashKey')").all()).toEqual([]);
    db.close();
    expect(bytesOf(preMigrationBackupPath(path, previous))).not.toContain(key);
    expect(readFileSync(`${path}.idkey`, 'utf8')).toBe(key);
  });
});

describe('a counter stores no more than that, whatever a server sends', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-id-pull-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a pulled student row of a server from before migration 8 (region code, whole digest) is cut down on arrival, and found by its number', () => {
    const replica = createReplica(join(dir, 'counter.db'), batch, students.slice(0, 5), [], session);
    try {
      const s = { ...students[0]!, studentNo: '2099000001' };
      const key = readFileSync(`${replica.path}.idkey`, 'utf8');
      const digest = createHmac('sha256', Buffer.from(key, 'hex')).update(s.idCard).digest('hex');
      const row = { type: 'student' as const, seq: 1, ...s, idCardMasked: previousMask(s.idCard), idHash: digest, idLast6: s.idCard.slice(-6), inScope: true, withdrawnReason: null };
      applyPulledPage(replica.sqlite, replica.batch, { rows: [row], cursor: 1, serverSeq: 1 }, new Date().toISOString());
      expect(replica.sqlite.prepare('select id_hash as hash, id_masked as masked from students where student_no = ?').get(s.studentNo)).toEqual({
        hash: digest[0],
        masked: `**************${s.idCard.slice(-4)}`,
      });
      const found = createCounterService(replica).call('students.lookup', { text: s.idCard });
      expect(found.students.map((x) => x.studentNo)).toContain(s.studentNo);
    } finally {
      replica.close();
    }
  });
});
