import { closeSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { and, asc, between, eq, isNull } from 'drizzle-orm';
import semver from 'semver';
import type { Db, Executor } from '../db/database';
import { updateFileChunks, updateFiles, updateReleases } from '../db/schema';
import { AdminError } from '../admin/admin-error';
import { CHANNEL_FILE, type ReleaseFolder } from './release-folder';

/** Bytes per stored chunk: a range request reads only the chunks it touches. */
export const CHUNK_SIZE = 1024 * 1024;

export interface ReleaseSummary {
  version: string;
  stagingPercentage: number;
  publishedAt: string;
  withdrawnAt: string | null;
  files: { name: string; size: number }[];
}

export function parseStagingPercentage(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 100) throw new AdminError(`推送比例必须是 1 到 100 之间的整数（百分比），不能是 "${text}"`);
  return n;
}

async function activeVersions(exec: Executor): Promise<string[]> {
  const rows = await exec.select({ version: updateReleases.version }).from(updateReleases).where(isNull(updateReleases.withdrawnAt));
  return rows.map((r) => r.version).sort(semver.rcompare);
}

/** Stores one file's bytes in chunks, hashing them again on the way in: a file changed since it was checked is refused. */
async function storeChunks(exec: Executor, version: string, name: string, path: string, sha512: string): Promise<void> {
  const fd = openSync(path, 'r');
  try {
    const hash = createHash('sha512');
    const buffer = Buffer.alloc(CHUNK_SIZE);
    for (let idx = 0; ; idx++) {
      const read = readSync(fd, buffer, 0, CHUNK_SIZE, null);
      if (read === 0) break;
      const data = Buffer.from(buffer.subarray(0, read));
      hash.update(data);
      await exec.insert(updateFileChunks).values({ version, name, idx, data });
    }
    if (hash.digest('base64') !== sha512) throw new AdminError(`${name} 在发布过程中被改动，未发布任何内容`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Publishes a checked release folder in one transaction: all of it or nothing. A version must be
 * new and above every release being served, because counters never install a lower version.
 */
export async function publishRelease(db: Db, folder: ReleaseFolder, stagingPercentage = 100): Promise<void> {
  await db.transaction(async (tx) => {
    const [existing] = await tx.select().from(updateReleases).where(eq(updateReleases.version, folder.version));
    if (existing) {
      throw new AdminError(
        existing.withdrawnAt
          ? `版本 ${folder.version} 曾发布并已撤回，不能再用同一版本号发布；请提高版本号后重新打包`
          : `版本 ${folder.version} 已发布过`,
      );
    }
    const newest = (await activeVersions(tx))[0];
    if (newest && !semver.gt(folder.version, newest)) {
      throw new AdminError(`版本 ${folder.version} 不高于正在提供的 ${newest}：柜台不会安装更低的版本。请提高 package.json 中的版本号后重新打包`);
    }
    await tx.insert(updateReleases).values({ version: folder.version, stagingPercentage });
    for (const file of folder.files) {
      await tx.insert(updateFiles).values({ version: folder.version, name: file.name, size: file.size, sha512: file.sha512 });
      await storeChunks(tx, folder.version, file.name, file.path, file.sha512);
    }
  });
}

export async function listReleases(exec: Executor): Promise<ReleaseSummary[]> {
  const releases = await exec.select().from(updateReleases);
  const files = await exec.select({ version: updateFiles.version, name: updateFiles.name, size: updateFiles.size }).from(updateFiles).orderBy(asc(updateFiles.name));
  return releases
    .sort((a, b) => semver.rcompare(a.version, b.version))
    .map((r) => ({ ...r, files: files.filter((f) => f.version === r.version).map(({ name, size }) => ({ name, size })) }));
}

async function requireRelease(exec: Executor, version: string) {
  const [release] = await exec.select().from(updateReleases).where(eq(updateReleases.version, version));
  if (!release) throw new AdminError(`没有发布过版本 ${version}（npm run admin -- updates list 查看已发布的版本）`);
  return release;
}

/** A withdrawn release is no longer offered; counters that already run it are offered the next higher release. */
export async function withdrawRelease(exec: Executor, version: string): Promise<void> {
  const release = await requireRelease(exec, version);
  if (release.withdrawnAt) throw new AdminError(`版本 ${version} 已于 ${release.withdrawnAt} 撤回`);
  await exec.update(updateReleases).set({ withdrawnAt: new Date().toISOString() }).where(eq(updateReleases.version, version));
}

export async function stageRelease(exec: Executor, version: string, stagingPercentage: number): Promise<void> {
  const release = await requireRelease(exec, version);
  if (release.withdrawnAt) throw new AdminError(`版本 ${version} 已撤回，不能再调整推送比例`);
  await exec.update(updateReleases).set({ stagingPercentage }).where(eq(updateReleases.version, version));
}

export interface ServedFile {
  version: string;
  name: string;
  size: number;
  sha512: string;
  stagingPercentage: number;
}

/** The file the feed serves under `name`: from the highest release not withdrawn that has it. */
export async function findServedFile(exec: Executor, name: string): Promise<ServedFile | null> {
  const rows = await exec
    .select({ version: updateFiles.version, name: updateFiles.name, size: updateFiles.size, sha512: updateFiles.sha512, stagingPercentage: updateReleases.stagingPercentage })
    .from(updateFiles)
    .innerJoin(updateReleases, eq(updateReleases.version, updateFiles.version))
    .where(and(eq(updateFiles.name, name), isNull(updateReleases.withdrawnAt)));
  return rows.sort((a, b) => semver.rcompare(a.version, b.version))[0] ?? null;
}

export function isChannelFile(name: string): boolean {
  return CHANNEL_FILE.test(name);
}

/** Bytes [start, end] (inclusive) of a stored file, read from the chunks that hold them. */
export async function readStoredBytes(exec: Executor, file: Pick<ServedFile, 'version' | 'name'>, start: number, end: number): Promise<Buffer> {
  const first = Math.floor(start / CHUNK_SIZE);
  const last = Math.floor(end / CHUNK_SIZE);
  const chunks = await exec
    .select({ idx: updateFileChunks.idx, data: updateFileChunks.data })
    .from(updateFileChunks)
    .where(and(eq(updateFileChunks.version, file.version), eq(updateFileChunks.name, file.name), between(updateFileChunks.idx, first, last)))
    .orderBy(asc(updateFileChunks.idx));
  const joined = Buffer.concat(chunks.map((c) => c.data));
  return joined.subarray(start - first * CHUNK_SIZE, end - first * CHUNK_SIZE + 1);
}
