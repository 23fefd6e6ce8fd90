import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { createPrivateFile, makePrivateDir } from '../files/private-files';
import { latestVersion } from './migrate';
import { MIGRATIONS, type Migration } from './migrations';
import { ReplicaError } from './replica-error';

/**
 * The replica's backups, one rule for all of them: consistent copies (outbox included) in a
 * user-only `backups` folder next to the replica, each user-only, written under a temporary name
 * and renamed when complete, and only the newest kept:
 *
 * - a daily copy (the first start of a day, then whenever the running counter sees a new day),
 *   made with SQLite's online backup while the counter keeps working; the last KEEP_DAILY days;
 * - a copy before the first migration of a file (the first start after an update), one per old
 *   schema version; the last KEEP_BEFORE_MIGRATION. Opening a replica is synchronous for every
 *   caller, and no one else is using the file at that moment, so this copy is made with
 *   VACUUM INTO, the synchronous way to the same consistent copy.
 *
 * A backup is for reading unsent ops out of (a rescue file) or for an administrator's repair,
 * not for putting back under a working counter: the ops made after it would be made again
 * with the same device sequence numbers (docs/local-replica.md).
 */
export const KEEP_DAILY = 7;
export const KEEP_BEFORE_MIGRATION = 3;

export function backupFolder(replicaPath: string): string {
  return join(dirname(replicaPath), 'backups');
}

export function preMigrationBackupPath(replicaPath: string, version: number): string {
  return join(backupFolder(replicaPath), `${basename(replicaPath)}.pre-v${version}.db`);
}

/** The local calendar day, as the operator counts days. */
function localDay(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

export function dailyBackupPath(replicaPath: string, at: Date): string {
  return join(backupFolder(replicaPath), `${basename(replicaPath)}.daily-${localDay(at)}.db`);
}

export interface ReplicaBackup {
  path: string;
  kind: 'daily' | 'pre-migration';
}

/** The backups of this replica, oldest first within each kind (names sort by day and by version). */
export function listBackups(replicaPath: string): ReplicaBackup[] {
  const folder = backupFolder(replicaPath);
  if (!existsSync(folder)) return [];
  const base = basename(replicaPath);
  const daily = /^\.daily-\d{4}-\d{2}-\d{2}\.db$/;
  const preMigration = /^\.pre-v(\d+)\.db$/;
  const names = readdirSync(folder).filter((name) => name.startsWith(base));
  const version = (name: string) => Number(preMigration.exec(name.slice(base.length))?.[1]);
  return [
    ...names
      .filter((name) => daily.test(name.slice(base.length)))
      .sort()
      .map((name) => ({ path: join(folder, name), kind: 'daily' as const })),
    ...names
      .filter((name) => preMigration.test(name.slice(base.length)))
      .sort((a, b) => version(a) - version(b))
      .map((name) => ({ path: join(folder, name), kind: 'pre-migration' as const })),
  ];
}

function rotate(replicaPath: string): void {
  const all = listBackups(replicaPath);
  for (const [kind, keep] of [['daily', KEEP_DAILY], ['pre-migration', KEEP_BEFORE_MIGRATION]] as const) {
    const ofKind = all.filter((b) => b.kind === kind);
    for (const old of ofKind.slice(0, Math.max(0, ofKind.length - keep))) rmSync(old.path, { force: true });
  }
}

/** A user-only empty file under a temporary name for the copy; renamed over `target` by `finish`. */
function start(target: string): string {
  makePrivateDir(dirname(target));
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  createPrivateFile(partial);
  return partial;
}

function finish(replicaPath: string, partial: string, target: string): void {
  renameSync(partial, target);
  rotate(replicaPath);
}

/**
 * Before the migrations of an existing file run: its copy at schema `current`. An existing copy
 * is kept, not overwritten; if the copy cannot be written, nothing is migrated and the counter
 * says why. Returns the copy's path, or null when no migration is pending.
 */
export function keepCopyBeforeMigrating(sqlite: Database.Database, path: string, current: number, migrations: readonly Migration[] = MIGRATIONS): string | null {
  if (current === 0 || current >= latestVersion(migrations)) return null;
  const target = preMigrationBackupPath(path, current);
  if (existsSync(target)) return target;
  let partial: string | null = null;
  try {
    partial = start(target);
    sqlite.exec(`VACUUM INTO '${partial.replaceAll("'", "''")}'`);
    finish(path, partial, target);
  } catch (e) {
    if (partial) rmSync(partial, { force: true });
    throw new ReplicaError(`升级数据库前无法保存副本 ${target}（${(e as Error).message}），未做任何改动；请检查磁盘空间和文件夹权限`);
  }
  return target;
}

/**
 * Today's backup, unless there is one: SQLite's online backup copies the open replica page by
 * page between the counter's own writes. Returns the new backup's path, or null.
 */
export async function takeDailyBackup(sqlite: Database.Database, path: string, now: Date): Promise<string | null> {
  const target = dailyBackupPath(path, now);
  if (existsSync(target)) return null;
  const partial = start(target);
  try {
    await sqlite.backup(partial);
    finish(path, partial, target);
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
  return target;
}
