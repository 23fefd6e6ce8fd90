import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { BatchIndex } from '../../src-shared/domain/batch';
import { BatchDefinitionError, parseBatchDefinitionText } from '../../src-shared/domain/batch-definition';
import { ChangeFeed } from './change-feed';
import { assertKnownVersion, migrate } from './migrate';
import { repairOutbox } from './outbox-repair';
import { keepCopyBeforeMigrating } from './replica-backups';
import { DamagedReplicaError, ReplicaError } from './replica-error';
import { integrityProblem } from './integrity';
import { keepPrivate } from '../files/private-files';
import * as schema from './schema';
import { fileIdKeyStore } from './id-key-store';
import type { ReplicaSecretStore } from '../sync/device-token-store';

export type ReplicaDb = BetterSQLite3Database<typeof schema>;

export interface Replica {
  readonly path: string;
  readonly sqlite: Database.Database;
  readonly db: ReplicaDb;
  readonly batch: BatchIndex;
  readonly changes: ChangeFeed;
  /** Holds the key behind students.id_hash, outside this file (id-key-store.ts). */
  readonly idKeys: ReplicaSecretStore;
  close(): void;
}

export interface OpenReplicaOptions {
  /** Where the 身份证号 hash key is kept; the file next to the replica when omitted (Electron passes its encrypted store). */
  idKeys?: ReplicaSecretStore;
}

const BUSY_TIMEOUT_MS = 5000;

function cannotOpen(path: string, reason: string): ReplicaError {
  return new ReplicaError(`无法打开数据库文件 ${path}：${reason}`);
}

function describeSqliteError(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (code === 'SQLITE_NOTADB') return '该文件不是离校办理台的数据库，或已经损坏';
  if (code === 'SQLITE_CANTOPEN') return '无法读取该文件，请检查路径和访问权限';
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') return '没有写入权限';
  if (code === 'SQLITE_CORRUPT') return '数据库文件已损坏';
  if (code === 'SQLITE_FULL') return '磁盘已满';
  if (code === 'SQLITE_BUSY') return '数据库正被另一个程序占用';
  return (e as Error).message;
}

/** The replica and the side files SQLite keeps next to it; -wal and -shm take the replica's mode when SQLite creates them. */
export function replicaFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`, `${path}-journal`];
}

/**
 * A corrupt page of a replica. A file that is not a database at all (SQLITE_NOTADB: another
 * file given as --db, or a header a disk destroyed) keeps its own message: nothing in it can be
 * read back, so there is nothing to rescue.
 */
function isDamage(e: unknown): boolean {
  return (e as { code?: unknown }).code === 'SQLITE_CORRUPT';
}

/** Checks what SQLite would report vaguely (or, read-only, not at all until the first write). */
function checkAccess(path: string, mustExist: boolean): void {
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) throw cannotOpen(path, `${dir} 不是文件夹`);
  } catch (e) {
    if (e instanceof ReplicaError) throw e;
    throw cannotOpen(path, `文件夹 ${dir} 不存在`);
  }
  let exists = true;
  try {
    if (statSync(path).isDirectory()) throw cannotOpen(path, '这是一个文件夹，不是数据库文件');
  } catch (e) {
    if (e instanceof ReplicaError) throw e;
    exists = false;
  }
  if (!exists && mustExist) throw cannotOpen(path, '文件不存在');
  try {
    // WAL keeps -wal and -shm files next to the database, so the folder must be writable too.
    accessSync(dir, constants.W_OK);
    if (exists) accessSync(path, constants.R_OK | constants.W_OK);
  } catch {
    throw cannotOpen(path, '没有读写权限');
  }
}

/** Electron's Node has its own ABI; its build of better-sqlite3 is passed in by the app shell. */
export function electronSqliteBinding(): string | undefined {
  return process.env['LIXIAO_SQLITE_BINDING'] || undefined;
}

/**
 * Opens (or, with `create`, creates) the SQLite file with the pragmas the op path relies on and
 * brings its schema up to date. Everything that can go wrong becomes a ReplicaError naming the path.
 */
export function openDatabase(path: string, { create = false } = {}): Database.Database {
  checkAccess(path, !create);
  let sqlite: Database.Database;
  try {
    sqlite = new Database(path, { fileMustExist: !create, nativeBinding: electronSqliteBinding() });
  } catch (e) {
    if (isDamage(e)) throw new DamagedReplicaError(path, describeSqliteError(e));
    throw cannotOpen(path, describeSqliteError(e));
  }
  try {
    keepPrivate(replicaFiles(path));
  } catch (e) {
    sqlite.close();
    throw cannotOpen(path, `无法把文件设为仅本用户可读写（${(e as Error).message}），请确认文件属于运行本程序的账户`);
  }
  try {
    // Before any pragma that writes (journal_mode): a file that is not a database, is damaged,
    // or comes from a newer build is refused untouched.
    const version = assertKnownVersion(sqlite);
    if (!create) {
      const problem = integrityProblem(sqlite);
      if (problem) throw new DamagedReplicaError(path, problem);
    }
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    keepCopyBeforeMigrating(sqlite, path, version);
    migrate(sqlite);
    repairOutbox(sqlite);
    return sqlite;
  } catch (e) {
    sqlite.close();
    if (e instanceof ReplicaError) throw e;
    if (isDamage(e)) throw new DamagedReplicaError(path, describeSqliteError(e));
    throw cannotOpen(path, describeSqliteError(e));
  }
}

export function loadBatch(sqlite: Database.Database): BatchIndex {
  const rows = sqlite.prepare('select definition from batch').all() as { definition: string }[];
  const row = rows[0];
  if (!row) throw new ReplicaError('数据库中没有离校批次，请先下载或导入批次');
  try {
    return new BatchIndex(parseBatchDefinitionText(row.definition));
  } catch (e) {
    if (e instanceof BatchDefinitionError) throw new ReplicaError(`数据库中的${e.message}`, e.problems);
    throw e;
  }
}

export function wrapReplica(path: string, sqlite: Database.Database, options: OpenReplicaOptions = {}): Replica {
  const batch = loadBatch(sqlite);
  return {
    path,
    sqlite,
    db: drizzle(sqlite, { schema }),
    batch,
    changes: new ChangeFeed(),
    idKeys: options.idKeys ?? fileIdKeyStore,
    close: () => sqlite.close(),
  };
}

/** Opens an existing replica: pragmas, migrations, and the batch definition validated again. */
export function openReplica(path: string, options: OpenReplicaOptions = {}): Replica {
  const sqlite = openDatabase(path);
  try {
    return wrapReplica(path, sqlite, options);
  } catch (e) {
    sqlite.close();
    throw e;
  }
}
