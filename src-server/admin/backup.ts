import { createWriteStream, readFileSync, renameSync, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGzip, gunzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import type { Db, Executor } from '../db/database';
import { MIGRATIONS } from '../db/migrations';
import { readHistory, renewHistory } from '../sync/history';
import { AdminError } from './admin-error';

/**
 * `admin backup` / `admin restore`: every table as gzipped NDJSON, read in one repeatable-read
 * transaction (a consistent picture while counters keep pushing), and loaded back in one
 * transaction into an empty database, where the restore starts a new history so that every
 * counter notices and rebuilds its rows (docs/restore-runbook.zh-CN.md).
 */

const FORMAT = 'lixiao-server-backup';

/**
 * Every table, parents before children (foreign keys). The backup refuses a table missing
 * here: a new table must be added to this list, or its rows would silently stay behind.
 */
const TABLES = [
  'batches',
  'operators',
  'grants',
  'devices',
  'device_operators',
  'operator_sessions',
  'registration_codes',
  'api_keys',
  'students',
  'roster_changes',
  'step_states',
  'waivers',
  'ops',
  'conflicts',
  'sync_seq',
  'sync_marks',
  'server_history',
  'restore_losses',
  'sign_in_failures',
  'console_roles',
  'console_sessions',
  'console_log',
  'update_releases',
  'update_files',
  'update_file_chunks',
  'student_passwords',
  'student_sessions',
] as const;

async function columnsOf(exec: Executor, table: string): Promise<string[]> {
  const result = (await exec.execute(
    sql`select column_name from information_schema.columns where table_schema = 'public' and table_name = ${table} order by ordinal_position`,
  )) as unknown as { rows: { column_name: string }[] };
  return result.rows.map((r) => r.column_name);
}

/** Tables whose id column is GENERATED ALWAYS: restoring their ids needs OVERRIDING SYSTEM VALUE. */
const IDENTITY = new Set(['conflicts', 'roster_changes', 'console_log']);
const PAGE = 5000;

interface Header {
  type: 'header';
  format: typeof FORMAT;
  schemaVersion: number;
  takenAt: string;
  history: string;
}

const schemaVersion = Math.max(...MIGRATIONS.map((m) => m.version));

async function publicTables(db: Executor): Promise<string[]> {
  const result = await db.execute(sql`select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'schema_migrations' order by table_name`);
  return (result as unknown as { rows: { table_name: string }[] }).rows.map((r) => r.table_name);
}

async function* backupLines(db: Db, takenAt: string): AsyncGenerator<string> {
  const lines: string[] = [];
  let total = 0;
  // The whole read is one snapshot; lines are collected page by page and handed out after each.
  const pages: string[][] = [];
  await db.transaction(
    async (tx) => {
      const unknown = (await publicTables(tx)).filter((t) => !(TABLES as readonly string[]).includes(t));
      if (unknown.length > 0) throw new AdminError(`备份程序不认识这些表，未备份：${unknown.join('、')}（请升级管理工具）`);
      const header: Header = { type: 'header', format: FORMAT, schemaVersion, takenAt, history: (await readHistory(tx)).id };
      lines.push(JSON.stringify(header));
      for (const table of TABLES) {
        for (let offset = 0; ; offset += PAGE) {
          const result = await tx.execute(
            sql`select row_to_json(t)::text as line from ${sql.identifier(table)} t order by ctid limit ${PAGE} offset ${offset}`,
          );
          const rows = (result as unknown as { rows: { line: string }[] }).rows;
          for (const r of rows) lines.push(`{"table":${JSON.stringify(table)},"row":${r.line}}`);
          total += rows.length;
          if (lines.length >= PAGE) pages.push(lines.splice(0));
          if (rows.length < PAGE) break;
        }
      }
      lines.push(JSON.stringify({ type: 'end', rows: total }));
      pages.push(lines.splice(0));
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
  for (const page of pages) yield page.map((l) => `${l}\n`).join('');
}

/** Writes the backup to `out` (through a side file: a cut run never leaves a file that looks whole). Returns the row count. */
export async function writeBackup(db: Db, out: string, now = new Date()): Promise<{ rows: number; takenAt: string }> {
  const takenAt = now.toISOString();
  const side = `${out}.part`;
  let rows = 0;
  const counted = async function* (source: AsyncGenerator<string>) {
    for await (const chunk of source) {
      rows += chunk.split('\n').length - 1;
      yield chunk;
    }
  };
  try {
    await pipeline(Readable.from(counted(backupLines(db, takenAt))), createGzip(), createWriteStream(side));
  } catch (e) {
    rmSync(side, { force: true });
    if (e instanceof AdminError) throw e;
    throw new AdminError(`无法写入备份文件 ${out}：${(e as Error).message}`);
  }
  renameSync(side, out);
  // Header and end lines are not rows.
  return { rows: rows - 2, takenAt };
}

interface BackupContent {
  header: Header;
  tables: Map<string, unknown[]>;
}

async function readBackup(file: string): Promise<BackupContent> {
  const tables = new Map<string, unknown[]>();
  let header: Header | null = null;
  let ended = false;
  let count = 0;
  let lineNo = 0;
  let text: string;
  try {
    text = gunzipSync(readFileSync(file)).toString('utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AdminError(`找不到备份文件：${file}`);
    throw new AdminError(`无法读取备份文件 ${file}：${code?.startsWith('Z_') ? '不是 gzip 压缩的备份文件，或文件已损坏' : (e as Error).message}`);
  }
  for (const raw of text.split('\n')) {
    lineNo += 1;
    if (raw.trim() === '') continue;
    if (ended) throw new AdminError(`备份文件 ${file} 在结束行之后还有内容（第 ${lineNo} 行），文件可能被拼接或改动过`);
    let line: { type?: string; format?: string; table?: string; row?: unknown; rows?: number };
    try {
      line = JSON.parse(raw) as typeof line;
    } catch {
      throw new AdminError(`备份文件 ${file} 第 ${lineNo} 行不是完整的 JSON，文件可能不完整或已损坏`);
    }
    if (header === null) {
      if (line.type !== 'header' || line.format !== FORMAT) throw new AdminError(`${file} 不是离校办理台服务器的备份文件`);
      header = line as unknown as Header;
      continue;
    }
    if (line.type === 'end') {
      if (line.rows !== count) throw new AdminError(`备份文件 ${file} 不完整：应有 ${line.rows} 行数据，读到 ${count} 行`);
      ended = true;
      continue;
    }
    if (typeof line.table !== 'string' || !(TABLES as readonly string[]).includes(line.table) || typeof line.row !== 'object') {
      throw new AdminError(`备份文件 ${file} 第 ${lineNo} 行无法识别`);
    }
    const list = tables.get(line.table) ?? [];
    list.push(line.row);
    tables.set(line.table, list);
    count += 1;
  }
  if (header === null) throw new AdminError(`${file} 是空文件，不是备份`);
  if (!ended) throw new AdminError(`备份文件 ${file} 不完整（缺少结束行），可能在备份时被中断`);
  return { header, tables };
}

/**
 * Loads a backup into an empty, migrated database in one transaction, then starts a new
 * history recording the backup's time. Refuses a database that holds a batch or operator: a
 * restore never mixes two databases.
 */
export async function restoreBackup(db: Db, file: string): Promise<{ rows: number; takenAt: string; history: string }> {
  const { header, tables } = await readBackup(file);
  if (header.schemaVersion > schemaVersion) {
    throw new AdminError(`备份来自较新的服务器版本（数据库结构 ${header.schemaVersion}，本工具 ${schemaVersion}），请先升级服务器程序再恢复`);
  }
  return db.transaction(async (tx) => {
    const [used] = (
      (await tx.execute(sql`select (select count(*) from batches) + (select count(*) from operators) as n`)) as unknown as { rows: { n: string | number }[] }
    ).rows;
    if (Number(used?.n ?? 0) > 0) {
      throw new AdminError('目标数据库不是空的（已有批次或操作员），未做任何改动。请恢复到新建的空数据库（PostgreSQL 新建数据库，或 PGlite 用新的 --data-dir）');
    }
    // What the migrations wrote into the empty database is replaced by the backup's rows.
    for (const table of ['sync_seq', 'sync_marks', 'server_history', 'restore_losses']) await tx.execute(sql`delete from ${sql.identifier(table)}`);
    let rows = 0;
    for (const table of TABLES) {
      const list = tables.get(table) ?? [];
      const overriding = IDENTITY.has(table) ? sql.raw('overriding system value') : sql``;
      // Only the columns the backup has: a column added since (operators.password_version) takes its default, not NULL.
      const present = new Set(Object.keys((list[0] ?? {}) as object));
      const columns = sql.join(
        (await columnsOf(tx, table)).filter((c) => present.has(c)).map((c) => sql.identifier(c)),
        sql`, `,
      );
      for (let i = 0; i < list.length; i += PAGE) {
        const page = JSON.stringify(list.slice(i, i + PAGE));
        await tx.execute(
          sql`insert into ${sql.identifier(table)} (${columns}) ${overriding} select ${columns} from json_populate_recordset(null::${sql.identifier(table)}, ${page}::json)`,
        );
      }
      rows += list.length;
      if (IDENTITY.has(table)) {
        await tx.execute(sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce((select max(id) from ${sql.identifier(table)}), 0) + 1, false)`);
      }
    }
    // A backup taken before a migration that rewrites rows holds rows as they were then.
    for (const migration of MIGRATIONS.filter((m) => m.rewritesRows && m.version > header.schemaVersion)) {
      for (const statement of migration.statements) await tx.execute(sql.raw(statement));
    }
    if (!tables.has('sync_seq')) await tx.execute(sql`insert into sync_seq (id, value) values (1, 0)`);
    if (!tables.has('server_history')) await tx.execute(sql`insert into server_history (id, cause) values (${header.history}, 'created')`);
    const history = await renewHistory(tx, 'restore', { backupOf: header.takenAt });
    return { rows, takenAt: header.takenAt, history: history!.id };
  });
}
