import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/db/open';
import { latestVersion, migrate } from '../../src-main/db/migrate';
import { MIGRATIONS } from '../../src-main/db/migrations';
import { upgradeCopyPath } from '../../src-main/db/upgrade-copy';

/** A replica file as the previous release left it: one schema version behind, with an unsent op's worth of data. */
function olderReplica(path: string): number {
  // The version before the latest that exists: migrations reserved by parallel work may leave a gap until merged.
  const previous = Math.max(...MIGRATIONS.map((m) => m.version).filter((v) => v < latestVersion()));
  const sqlite = new Database(path);
  migrate(sqlite, MIGRATIONS.filter((m) => m.version <= previous));
  sqlite.prepare('insert into meta (key, value) values (?, ?)').run('deviceId', 'counter-before-update');
  sqlite.close();
  return previous;
}

describe('the first start after an update keeps a copy of the replica before migrating it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-upgrade-copy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('copies the old file (its data and its schema version), then migrates; a second start copies nothing', () => {
    const path = join(dir, 'counter.db');
    const previous = olderReplica(path);
    openDatabase(path).close();

    const copy = new Database(upgradeCopyPath(path, previous), { readonly: true });
    expect(copy.pragma('user_version', { simple: true })).toBe(previous);
    expect(copy.prepare("select value from meta where key = 'deviceId'").get()).toEqual({ value: 'counter-before-update' });
    copy.close();
    const migrated = new Database(path, { readonly: true });
    expect(migrated.pragma('user_version', { simple: true })).toBe(latestVersion());
    expect(migrated.prepare("select value from meta where key = 'deviceId'").get()).toEqual({ value: 'counter-before-update' });
    migrated.close();

    rmSync(upgradeCopyPath(path, previous));
    openDatabase(path).close();
    expect(existsSync(upgradeCopyPath(path, previous))).toBe(false);
  });

  it('a new replica, created at the latest version, gets no copy', () => {
    const path = join(dir, 'fresh.db');
    openDatabase(path, { create: true }).close();
    expect(existsSync(upgradeCopyPath(path, 0))).toBe(false);
  });

  it('when the copy cannot be written, nothing is migrated and the reason is given in Chinese', () => {
    const path = join(dir, 'stuck.db');
    const previous = olderReplica(path);
    // The copy's name points into a folder that does not exist: VACUUM INTO cannot create it.
    symlinkSync(join(dir, 'no-such-folder', 'copy.db'), upgradeCopyPath(path, previous));
    expect(() => openDatabase(path)).toThrow(`升级数据库前无法保存副本 ${upgradeCopyPath(path, previous)}`);
    const untouched = new Database(path, { readonly: true });
    expect(untouched.pragma('user_version', { simple: true })).toBe(previous);
    untouched.close();
  });
});
