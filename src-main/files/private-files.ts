import { chmodSync, closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The counter's files hold students' data, the outbox and operators' password records: only the
 * account that runs the counter may read them (docs/security.md). Modes are set with chmod after
 * creating, because the mode given to open or mkdir is reduced by the umask. On Windows chmod
 * only toggles read-only; there the files are private by living in the user's profile folder.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/**
 * A folder, and any parents it needs, created user-only. A folder that exists is left as it is:
 * it may be anybody's (the operator can put the replica in any folder).
 */
export function makePrivateDir(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first === undefined) return;
  for (let d = dir; ; d = dirname(d)) {
    chmodSync(d, PRIVATE_DIR_MODE);
    if (d === first || d === dirname(d)) break;
  }
}

/**
 * Narrows files that exist to user-only, and says nothing of those that do not: a replica's
 * -wal and -shm come and go, and SQLite gives new ones the mode of the database file.
 */
export function keepPrivate(paths: readonly string[]): void {
  for (const path of paths) {
    try {
      chmodSync(path, PRIVATE_FILE_MODE);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

/** An empty file, user-only from the start, for SQLite to write a copy into: never readable by others, not even briefly. */
export function createPrivateFile(path: string): void {
  closeSync(openSync(path, 'wx', PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** Data and directory entry on disk when this returns, so a rename survives a power cut. */
async function syncToDisk(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Written to a side file readable by this user only, then renamed over the old one: a stop
 * midway leaves the old file or the new one, never half of one.
 */
export async function writePrivateFile(path: string, bytes: Buffer): Promise<void> {
  const side = `${path}.tmp`;
  await rm(side, { force: true });
  const handle = await open(side, 'wx', PRIVATE_FILE_MODE);
  try {
    await handle.chmod(PRIVATE_FILE_MODE);
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(side, path);
  await syncToDisk(dirname(path));
}

/**
 * The same for a caller that cannot wait (createReplica is synchronous): `<path>.tmp` written
 * with mode 0600, synced, renamed over `path`.
 */
export function writePrivateFileSync(path: string, bytes: Buffer): void {
  const side = `${path}.tmp`;
  rmSync(side, { force: true });
  const fd = openSync(side, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeFileSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(side, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
