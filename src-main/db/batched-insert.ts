import type Database from 'better-sqlite3';

export interface BatchedInsert {
  add(...values: unknown[]): void;
  /** Writes the rows still held; call before anything reads the table. */
  flush(): void;
}

/**
 * Inserts rows many per statement. For bulk loads of hundreds of thousands of rows the per-call
 * cost of one statement per row is larger than SQLite's own work for the row.
 */
export function batchedInsert(sqlite: Database.Database, table: string, columns: string[], rowsPerStatement = 400): BatchedInsert {
  const row = `(${columns.map(() => '?').join(', ')})`;
  const statement = (rows: number) => sqlite.prepare(`insert into ${table} (${columns.join(', ')}) values ${Array(rows).fill(row).join(', ')}`);
  const full = statement(rowsPerStatement);
  let params: unknown[] = [];
  const flush = () => {
    const rows = params.length / columns.length;
    if (rows === 0) return;
    (rows === rowsPerStatement ? full : statement(rows)).run(params);
    params = [];
  };
  return {
    add(...values) {
      if (values.length !== columns.length) throw new Error(`${table}: ${values.length} values for ${columns.length} columns`);
      for (const v of values) params.push(v);
      if (params.length === rowsPerStatement * columns.length) flush();
    },
    flush,
  };
}
