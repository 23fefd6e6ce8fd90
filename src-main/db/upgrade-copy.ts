import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { latestVersion } from './migrate';
import type { Migration } from './migrations';
import { MIGRATIONS } from './migrations';
import { ReplicaError } from './replica-error';

/** Where the copy of a replica at schema `version` is kept before a newer build migrates it. */
export function upgradeCopyPath(path: string, version: number): string {
  return `${path}.v${version}.bak`;
}

/**
 * The first start of a new version (an update) keeps a consistent copy of the replica, outbox
 * included, before its migrations run: a migration that goes wrong can be undone by hand with
 * the old program. One copy per old schema version; a second start does not overwrite it.
 */
export function keepCopyBeforeMigrating(sqlite: Database.Database, path: string, current: number, migrations: readonly Migration[] = MIGRATIONS): string | null {
  if (current === 0 || current >= latestVersion(migrations)) return null;
  const copy = upgradeCopyPath(path, current);
  if (existsSync(copy)) return copy;
  try {
    sqlite.exec(`VACUUM INTO '${copy.replaceAll("'", "''")}'`);
  } catch (e) {
    throw new ReplicaError(`升级数据库前无法保存副本 ${copy}（${(e as Error).message}），未做任何改动；请检查磁盘空间和文件夹权限`);
  }
  return copy;
}
