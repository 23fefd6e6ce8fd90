import { sql } from 'drizzle-orm';
import type { Executor } from './database';

export interface BulkTable {
  name: string;
  /** Column name → PostgreSQL type, in the order rows are written. */
  columns: Record<string, string>;
  /** Primary key columns: with them, an existing row is replaced by the new one. */
  upsertOn?: string[];
}

const CHUNK = 5000;
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Inserts many rows as one JSON parameter expanded by jsonb_to_recordset. Drizzle's builder
 * spends milliseconds per row on large value lists; this costs one parse on the server, the
 * same on PGlite and PostgreSQL. Rows are keyed by column name.
 */
export async function bulkInsert(exec: Executor, table: BulkTable, rows: Record<string, unknown>[]): Promise<void> {
  const names = Object.keys(table.columns);
  const list = names.map(quote).join(', ');
  const shape = names.map((n) => `${quote(n)} ${table.columns[n]}`).join(', ');
  const conflict = table.upsertOn
    ? ` on conflict (${table.upsertOn.map(quote).join(', ')}) do update set ${names
        .filter((n) => !table.upsertOn!.includes(n))
        .map((n) => `${quote(n)} = excluded.${quote(n)}`)
        .join(', ')}`
    : '';
  for (let i = 0; i < rows.length; i += CHUNK) {
    const json = JSON.stringify(rows.slice(i, i + CHUNK));
    await exec.execute(
      sql`${sql.raw(`insert into ${quote(table.name)} (${list}) select ${list} from jsonb_to_recordset(`)}${json}${sql.raw(`::jsonb) as x(${shape})${conflict}`)}`,
    );
  }
}

export const OPS_TABLE: BulkTable = {
  name: 'ops',
  columns: {
    op_id: 'text',
    batch_id: 'text',
    device_id: 'text',
    device_seq: 'integer',
    operator_id: 'text',
    kind: 'text',
    student_no: 'text',
    step_id: 'text',
    note: 'text',
    base_version: 'integer',
    client_time: 'text',
    outcome: 'text',
    applied: 'boolean',
    reason: 'text',
    result_version: 'integer',
    conflict_id: 'bigint',
    seq: 'bigint',
  },
};

export const STEP_STATES_TABLE: BulkTable = {
  name: 'step_states',
  columns: {
    batch_id: 'text',
    student_no: 'text',
    step_id: 'text',
    status: 'text',
    note: 'text',
    version: 'integer',
    updated_at: 'text',
    updated_by: 'text',
    updated_by_name: 'text',
    last_op_id: 'text',
    seq: 'bigint',
  },
  upsertOn: ['batch_id', 'student_no', 'step_id'],
};

export const WAIVERS_TABLE: BulkTable = {
  name: 'waivers',
  columns: {
    batch_id: 'text',
    student_no: 'text',
    step_id: 'text',
    lifted: 'boolean',
    version: 'integer',
    note: 'text',
    updated_at: 'text',
    updated_by: 'text',
    last_op_id: 'text',
    seq: 'bigint',
  },
  upsertOn: ['batch_id', 'student_no', 'step_id'],
};

export const STUDENTS_TABLE: BulkTable = {
  name: 'students',
  columns: {
    batch_id: 'text',
    student_no: 'text',
    name: 'text',
    gender: 'text',
    college: 'text',
    major: 'text',
    class_name: 'text',
    dorm: 'text',
    id_hash: 'text',
    id_masked: 'text',
    id_last6: 'text',
    is_previous: 'boolean',
    flags: 'jsonb',
    seq: 'bigint',
  },
  upsertOn: ['batch_id', 'student_no'],
};
