import { gzipSync, gunzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminError } from '../../src-server/admin/admin-error';
import { restoreBackup, writeBackup } from '../../src-server/admin/backup';
import { changeStandingOf, cliActor } from '../../src-server/admin/roster-withdrawal';
import { createApiKey } from '../../src-server/admin/devices';
import { ApplySession } from '../../src-server/apply/apply-op';
import { applyIntegrationOp, ServerOpSource } from '../../src-server/apply/server-ops';
import { runCli } from '../../src-server/cli';
import type { Db } from '../../src-server/db/database';
import { BatchCache } from '../../src-server/sync/batch-cache';
import { readHistory } from '../../src-server/sync/history';
import { lockWrites } from '../../src-server/sync/seq';
import { seedSmallWorld } from '../../src-server/testing/fixtures';
import { BACKENDS, openThrowawayDatabase, type ThrowawayDatabase } from '../../src-server/testing/throwaway-database';

/** `admin backup` then `admin restore` into an empty database: every table equal, a new history recording the backup's time. */

async function tableRows(db: Db): Promise<Record<string, string[]>> {
  const result = await db.execute(sql`select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'schema_migrations' order by table_name`);
  const out: Record<string, string[]> = {};
  for (const { table_name: name } of (result as unknown as { rows: { table_name: string }[] }).rows) {
    const rows = await db.execute(sql`select row_to_json(t)::text as line from ${sql.identifier(name)} t`);
    out[name] = (rows as unknown as { rows: { line: string }[] }).rows.map((r) => r.line).sort();
  }
  return out;
}

/** Rows of every kind: students with a withdrawal (roster_changes, identity ids), integration ops, states, a waiver-free conflict-free world plus one conflict id. */
async function busyWorld(db: Db): Promise<void> {
  const batches = new BatchCache();
  const { batchId } = await seedSmallWorld(db, batches);
  await createApiKey(db, 'library', '图书馆系统', batchId, ['return-books']);
  await changeStandingOf(db, batchId, ['2023000004'], { kind: 'withdraw', reason: '延期毕业' }, cliActor());
  await db.transaction(async (tx) => {
    await lockWrites(tx);
    const batch = (await batches.get(tx, batchId))!;
    const source = await ServerOpSource.open(tx, 'integration:library');
    const actor = { kind: 'integration' as const, name: '图书馆系统', stepIds: new Set(['return-books']) };
    for (const [i, no] of ['2023000001', '2023000002', '2023000003'].entries()) {
      await applyIntegrationOp(tx, new ApplySession(tx, batch), actor, source, {
        opId: `0190a000-0000-7000-8000-00000000000${i}`,
        studentNo: no,
        stepId: 'return-books',
        kind: 'pass',
        note: `第${i}批`,
        time: '2027-06-20T09:00:00+08:00',
      });
    }
  });
}

describe.each(BACKENDS)('admin backup and restore on %s', (backend) => {
  const open: ThrowawayDatabase[] = [];
  let dir = '';

  afterEach(async () => {
    for (const d of open.splice(0)) await d.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function database(): Promise<ThrowawayDatabase> {
    const d = await openThrowawayDatabase(backend);
    open.push(d);
    return d;
  }

  it('a backup restored into an empty database gives equal tables and a new history', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lixiao-backup-'));
    const source = await database();
    await busyWorld(source.db);
    const file = join(dir, 'server.ndjson.gz');
    const before = await tableRows(source.db);
    const taken = await writeBackup(source.db, file, new Date('2027-06-20T01:00:00Z'));
    expect(taken.rows).toBe(Object.values(before).reduce((n, rows) => n + rows.length, 0));

    const target = await database();
    const restored = await restoreBackup(target.db, file);
    expect(restored.rows).toBe(taken.rows);
    const after = await tableRows(target.db);
    const { server_history: historyAfter, ...restAfter } = after;
    const { server_history: historyBefore, ...restBefore } = before;
    expect(restAfter).toEqual(restBefore);
    // The backup's history stays on record; the restore starts a new one that names the backup's time.
    expect(historyAfter).toEqual(expect.arrayContaining(historyBefore!));
    expect(historyAfter).toHaveLength(historyBefore!.length + 1);
    const history = await readHistory(target.db);
    expect(history.id).toBe(restored.history);
    expect(history.id).not.toBe((await readHistory(source.db)).id);
    expect(history.backupOf).toBe('2027-06-20T01:00:00.000Z');

    // Identity columns go on after the restored ids.
    const [{ id }] = (
      (await target.db.execute(sql`insert into roster_changes (batch_id, student_no, kind, changed_by, seq)
        values ('x', 'y', 'restore', 'test', 0) returning id`)) as unknown as { rows: { id: string | number }[] }
    ).rows as [{ id: string | number }];
    const maxBefore = Math.max(...before.roster_changes!.map((line) => (JSON.parse(line) as { id: number }).id));
    expect(Number(id)).toBe(maxBefore + 1);
  });

  it('a backup from before operator sessions restores: the columns it lacks take their defaults, the tables it lacks stay empty', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lixiao-backup-'));
    const source = await database();
    await seedSmallWorld(source.db, new BatchCache());
    const file = join(dir, 'server.ndjson.gz');
    await writeBackup(source.db, file);
    // As a server of the previous release wrote it: no password_version, no sign_in, no session or code tables.
    const lines = gunzipSync(readFileSync(file))
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type?: string; table?: string; row?: Record<string, unknown> })
      .filter((line) => line.table !== 'operator_sessions' && line.table !== 'registration_codes')
      .map((line) => {
        if (line.row) {
          delete line.row.password_version;
          delete line.row.sign_in;
        }
        return JSON.stringify(line);
      });
    const older = join(dir, 'older.ndjson.gz');
    writeFileSync(older, gzipSync(`${lines.join('\n')}\n`));
    const target = await database();
    await restoreBackup(target.db, older);
    const operators = (await target.db.execute(sql`select operator_no, password_version from operators order by operator_no`)) as unknown as {
      rows: { operator_no: string; password_version: number }[];
    };
    expect(operators.rows.length).toBe(5);
    expect(operators.rows.every((r) => r.password_version === 1)).toBe(true);
  });

  it('refuses a database that is not empty and a cut or foreign file, changing nothing', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lixiao-backup-'));
    const source = await database();
    await busyWorld(source.db);
    const file = join(dir, 'server.ndjson.gz');
    await writeBackup(source.db, file);
    const before = await tableRows(source.db);
    await expect(restoreBackup(source.db, file)).rejects.toThrow(/目标数据库不是空的/);
    expect(await tableRows(source.db)).toEqual(before);

    const target = await database();
    const empty = await tableRows(target.db);
    const lines = gunzipSync(readFileSync(file)).toString('utf8').trimEnd().split('\n');
    const cut = join(dir, 'cut.ndjson.gz');
    writeFileSync(cut, gzipSync(lines.slice(0, -3).join('\n') + '\n'));
    await expect(restoreBackup(target.db, cut)).rejects.toThrow(/不完整/);
    const foreign = join(dir, 'foreign.ndjson.gz');
    writeFileSync(foreign, gzipSync('{"hello":1}\n'));
    await expect(restoreBackup(target.db, foreign)).rejects.toThrow(AdminError);
    await expect(restoreBackup(target.db, join(dir, 'missing.gz'))).rejects.toThrow(/找不到备份文件/);
    expect(await tableRows(target.db)).toEqual(empty);
  });
});

describe('admin CLI backup / restore / restore-losses on PGlite folders', () => {
  it('backs up one data folder, restores into a new one and lists no losses yet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lixiao-backup-cli-'));
    try {
      const printed: string[] = [];
      const print = (line: string) => printed.push(line);
      const file = join(dir, 'b.ndjson.gz');
      expect(await runCli(['backup', '--out', file, '--data-dir', join(dir, 'a')], print, print)).toBe(0);
      expect(await runCli(['restore', '--from', file, '--data-dir', join(dir, 'b')], print, print)).toBe(0);
      expect(await runCli(['restore-losses', '--data-dir', join(dir, 'b')], print, print)).toBe(0);
      expect(await runCli(['restore', '--data-dir', join(dir, 'b')], print, print)).toBe(2);
      expect(printed.join('\n')).toMatch(/已备份 \d+ 行数据到/);
      expect(printed.join('\n')).toMatch(/已从 .* 的备份恢复 \d+ 行数据，新的历史编号/);
      expect(printed.join('\n')).toContain('没有柜台报告恢复中丢失的办理记录');
      expect(printed.join('\n')).toContain('请用 --from <文件> 指定备份文件');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
