import type Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations';
import { ReplicaError } from './replica-error';

export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

/** A file written by a newer build must not be touched at all: it may hold tables we would misread. */
export function assertKnownVersion(sqlite: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = sqlite.pragma('user_version', { simple: true }) as number;
  const latest = latestVersion(migrations);
  if (current > latest) {
    throw new ReplicaError(
      `数据库文件来自更新版本的离校办理台（版本 ${current}，本程序支持到 ${latest}），请升级本程序后再打开`,
    );
  }
  return current;
}

/**
 * Brings the database to the newest bundled schema. The version lives in PRAGMA user_version
 * and is set in the same transaction as the migration, so a crash leaves either the old or the
 * new schema. Migrations run by version number, never by file date. Returns the versions applied.
 */
export function migrate(sqlite: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const current = assertKnownVersion(sqlite, migrations);
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (migration.version <= current) continue;
    sqlite.transaction(() => {
      sqlite.exec(migration.sql);
      sqlite.pragma(`user_version = ${migration.version}`);
    })();
    applied.push(migration.version);
  }
  return applied;
}
