import { closeSync, openSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';

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
