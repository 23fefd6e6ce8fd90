import { getTableColumns, getTableName, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from './database';

const CHUNK = 5000;
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Inserts many rows of a schema table as one JSON parameter expanded by jsonb_to_recordset.
 * Drizzle's builder spends milliseconds per row on large value lists; this costs one parse on
 * the server, the same on PGlite and PostgreSQL. Rows are the table's insert shape; columns no
 * row gives keep their defaults. With `upsertOn` (the primary key's columns) an existing row is
 * replaced by the new one.
 */
export async function bulkInsert<T extends PgTable>(
  exec: Executor,
  table: T,
  rows: T['$inferInsert'][],
  upsertOn: PgColumn[] = [],
): Promise<void> {
  if (rows.length === 0) return;
  const given = Object.entries(getTableColumns(table) as Record<string, PgColumn>).filter(([key]) =>
    rows.some((row) => (row as Record<string, unknown>)[key] !== undefined),
  );
  const names = given.map(([, column]) => column.name);
  const list = names.map(quote).join(', ');
  const shape = given.map(([, column]) => `${quote(column.name)} ${column.getSQLType()}`).join(', ');
  const keys = upsertOn.map((column) => column.name);
  const conflict =
    keys.length > 0
      ? ` on conflict (${keys.map(quote).join(', ')}) do update set ${names
          .filter((n) => !keys.includes(n))
          .map((n) => `${quote(n)} = excluded.${quote(n)}`)
          .join(', ')}`
      : '';
  for (let i = 0; i < rows.length; i += CHUNK) {
    const json = JSON.stringify(
      rows.slice(i, i + CHUNK).map((row) => Object.fromEntries(given.map(([key, column]) => [column.name, (row as Record<string, unknown>)[key]]))),
    );
    await exec.execute(
      sql`${sql.raw(`insert into ${quote(getTableName(table))} (${list}) select ${list} from jsonb_to_recordset(`)}${json}${sql.raw(`::jsonb) as x(${shape})${conflict}`)}`,
    );
  }
}
