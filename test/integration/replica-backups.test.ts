import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/db/open';
import { latestVersion, migrate } from '../../src-main/db/migrate';
import { MIGRATIONS } from '../../src-main/db/migrations';
import {
  backupFolder,
  dailyBackupPath,
  KEEP_BEFORE_MIGRATION,
  KEEP_DAILY,
  listBackups,
  preMigrationBackupPath,
  takeDailyBackup,
} from '../../src-main/db/replica-backups';
import { CounterRuntime } from '../../src-main/sync/counter-runtime';
import { replicaWithUnsentOps } from './replica-files';
import { eventually } from './sync-world';

/**
 * The replica's files on disk: user-only modes, the daily backups (SQLite's online backup of
 * the open file) and the copies before migrations, each kind rotated to its last N.
 */

const mode = (path: string) => statSync(path).mode & 0o777;

/** A replica file as an older release left it: at schema `version`, with a device id to recognise it by. */
function olderReplica(path: string, version = latestVersion() - 1): number {
  const sqlite = new Database(path);
  migrate(sqlite, MIGRATIONS.filter((m) => m.version <= version));
  sqlite.prepare('insert into meta (key, value) values (?, ?)').run('deviceId', 'counter-before-update');
  sqlite.close();
  return version;
}

/** A small replica with two unsent ops. */
const replicaWithOps = (path: string) => replicaWithUnsentOps(path, 'counter-b');

function outboxCount(path: string): number {
  const copy = new Database(path, { readonly: true });
  try {
    return copy.prepare('select count(*) from outbox').pluck().get() as number;
  } finally {
    copy.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'lixiao-backups-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const day = (d: number) => new Date(2027, 5, d, 9, 30);

describe('file modes', () => {
  it('a new replica and its -wal and -shm are user-only; an older file is narrowed when opened', () => {
    const path = join(dir, 'modes.db');
    const replica = replicaWithOps(path);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect([file, mode(file)]).toEqual([file, 0o600]);
    replica.close();

    const loose = join(dir, 'loose.db');
    olderReplica(loose, latestVersion());
    chmodSync(loose, 0o644);
    openDatabase(loose).close();
    expect(mode(loose)).toBe(0o600);
  });
});

describe('daily backups', () => {
  it('a consistent copy of the open replica, outbox included, user-only in a user-only folder; once a day; the last KEEP_DAILY kept', async () => {
    const path = join(dir, 'daily.db');
    const replica = replicaWithOps(path);
    const first = await takeDailyBackup(replica.sqlite, path, day(1));
    expect(first).toBe(dailyBackupPath(path, day(1)));
    expect(outboxCount(first!)).toBe(2);
    expect(mode(first!)).toBe(0o600);
    expect(mode(backupFolder(path))).toBe(0o700);
    expect(await takeDailyBackup(replica.sqlite, path, new Date(2027, 5, 1, 18, 0))).toBeNull();

    for (let d = 2; d <= KEEP_DAILY + 3; d++) await takeDailyBackup(replica.sqlite, path, day(d));
    const kept = listBackups(path).filter((b) => b.kind === 'daily').map((b) => b.path);
    expect(kept).toEqual(Array.from({ length: KEEP_DAILY }, (_, i) => dailyBackupPath(path, day(i + 4))));
    expect(existsSync(`${kept.at(-1)}.partial`)).toBe(false);
    replica.close();
  });

  it('a running counter makes today’s backup as it starts', async () => {
    const path = join(dir, 'runtime', 'counter.db');
    mkdirSync(dirname(path));
    replicaWithOps(path).close();
    const runtime = new CounterRuntime({ path, now: () => day(20) });
    await runtime.ready;
    await eventually(() => expect(existsSync(dailyBackupPath(path, day(20)))).toBe(true));
    await runtime.close();
    expect(outboxCount(dailyBackupPath(path, day(20)))).toBe(2);
  });
});

describe('the first start after an update keeps a copy of the replica before migrating it', () => {
  it('copies the old file (its data and its schema version), then migrates; a second start copies nothing', () => {
    const path = join(dir, 'counter.db');
    const previous = olderReplica(path);
    openDatabase(path).close();

    const copyPath = preMigrationBackupPath(path, previous);
    expect(mode(copyPath)).toBe(0o600);
    const copy = new Database(copyPath, { readonly: true });
    expect(copy.pragma('user_version', { simple: true })).toBe(previous);
    expect(copy.prepare("select value from meta where key = 'deviceId'").get()).toEqual({ value: 'counter-before-update' });
    copy.close();
    const migrated = new Database(path, { readonly: true });
    expect(migrated.pragma('user_version', { simple: true })).toBe(latestVersion());
    expect(migrated.prepare("select value from meta where key = 'deviceId'").get()).toEqual({ value: 'counter-before-update' });
    migrated.close();

    rmSync(copyPath);
    openDatabase(path).close();
    expect(existsSync(copyPath)).toBe(false);
  });

  it('a new replica, created at the latest version, gets no copy', () => {
    const path = join(dir, 'fresh.db');
    openDatabase(path, { create: true }).close();
    expect(listBackups(path)).toEqual([]);
  });

  it('one copy per old version, the last KEEP_BEFORE_MIGRATION kept', () => {
    const path = join(dir, 'many-updates.db');
    const versions = Array.from({ length: KEEP_BEFORE_MIGRATION + 1 }, (_, i) => i + 1);
    for (const version of versions) {
      for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
      olderReplica(path, version);
      openDatabase(path).close();
    }
    expect(listBackups(path).map((b) => b.path)).toEqual(versions.slice(1).map((v) => preMigrationBackupPath(path, v)));
  });

  it('when the copy cannot be written, nothing is migrated and the reason is given in Chinese', () => {
    const path = join(dir, 'stuck', 'counter.db');
    mkdirSync(dirname(path));
    const previous = olderReplica(path);
    // A file holds the backups folder's name: neither the folder nor the copy can be made.
    writeFileSync(backupFolder(path), '');
    expect(() => openDatabase(path)).toThrow(`升级数据库前无法保存副本 ${preMigrationBackupPath(path, previous)}`);
    const untouched = new Database(path, { readonly: true });
    expect(untouched.pragma('user_version', { simple: true })).toBe(previous);
    untouched.close();
  });
});
