import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The counter's local replica. Column names are snake_case SQL; the TypeScript names follow the
 * shared contract. Every change to this file needs a new bundled migration (docs/local-replica.md).
 */

/** deviceId, session, serverUrl…: small facts about this replica, one row each (meta.ts). */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** The batch definition this replica serves, as loaded; re-validated on every open. */
export const batch = sqliteTable(
  'batch',
  {
    slot: integer('slot').primaryKey(),
    id: text('id').notNull(),
    definition: text('definition').notNull(),
    loadedAt: text('loaded_at').notNull(),
  },
  (t) => [check('batch_single_row', sql`${t.slot} = 1`)],
);

export const students = sqliteTable(
  'students',
  {
    studentNo: text('student_no').primaryKey(),
    name: text('name').notNull(),
    gender: text('gender', { enum: ['男', '女'] }).notNull(),
    college: text('college').notNull(),
    major: text('major').notNull(),
    className: text('class_name').notNull(),
    dorm: text('dorm'),
    /**
     * First hex digit of HMAC-SHA256(key, 身份证号) (idHashPrefix), the key kept outside this
     * file: with id_last6, an exact search that confirms no guess (docs/security.md).
     */
    idHash: text('id_hash').notNull(),
    /** Only the last 4 (maskIdCard): no region code. */
    idMasked: text('id_masked').notNull(),
    idLast6: text('id_last6').notNull(),
    isPrevious: integer('is_previous', { mode: 'boolean' }).notNull(),
    flags: text('flags', { mode: 'json' }).$type<Record<string, boolean>>().notNull(),
    /** 0 once the student moved to a college outside this counter's roster scope (the server says so). */
    inScope: integer('in_scope', { mode: 'boolean' }).notNull().default(true),
    /** Why the student left the batch (延期毕业…); null while in it. */
    withdrawnReason: text('withdrawn_reason'),
  },
  (t) => [
    index('students_id_last6').on(t.idLast6),
    index('students_name').on(t.name),
    index('students_class_name').on(t.className),
    index('students_dorm').on(t.dorm),
    index('students_college').on(t.college),
  ],
);

/** One row per (student, step) of the batch; `na` rows are derived from the roster flags. */
export const stepStates = sqliteTable(
  'step_states',
  {
    studentNo: text('student_no')
      .notNull()
      .references(() => students.studentNo, { onDelete: 'cascade' }),
    stepId: text('step_id').notNull(),
    status: text('status', { enum: ['pending', 'passed', 'rejected', 'na'] }).notNull(),
    note: text('note').notNull().default(''),
    version: integer('version').notNull().default(0),
    updatedAt: text('updated_at'),
    updatedBy: text('updated_by'),
    updatedByName: text('updated_by_name'),
  },
  (t) => [
    primaryKey({ columns: [t.studentNo, t.stepId] }),
    index('step_states_step_status').on(t.stepId, t.status),
    check('step_states_status', sql`${t.status} in ('pending', 'passed', 'rejected', 'na')`),
  ],
);

/** Lifted restrictions (缓交); a row exists once a step was ever lifted for the student. */
export const waivers = sqliteTable(
  'waivers',
  {
    studentNo: text('student_no')
      .notNull()
      .references(() => students.studentNo, { onDelete: 'cascade' }),
    stepId: text('step_id').notNull(),
    lifted: integer('lifted', { mode: 'boolean' }).notNull(),
    note: text('note').notNull().default(''),
    version: integer('version').notNull().default(0),
    updatedAt: text('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.studentNo, t.stepId] })],
);

/** Ops waiting for (or acknowledged by) the server; device_seq is gapless from 1. */
export const outbox = sqliteTable(
  'outbox',
  {
    deviceSeq: integer('device_seq').primaryKey(),
    opId: text('op_id').notNull().unique(),
    deviceId: text('device_id').notNull(),
    operatorId: text('operator_id').notNull(),
    kind: text('kind', { enum: ['pass', 'reject', 'revoke', 'lift', 'impose'] }).notNull(),
    studentNo: text('student_no').notNull(),
    stepId: text('step_id').notNull(),
    args: text('args', { mode: 'json' }).$type<{ note: string }>().notNull(),
    baseVersion: integer('base_version').notNull(),
    clientTime: text('client_time').notNull(),
    ackedAt: text('acked_at'),
    outcome: text('outcome', { enum: ['applied', 'conflict', 'rejected'] }),
    outcomeReason: text('outcome_reason'),
    /** The op as an older build wrote it, when its text broke the text rule and was repaired before upload (JSON). */
    repairedFrom: text('repaired_from'),
    /** The token of the operator's online sign-in the op was made under; null under an offline sign-in. */
    session: text('session'),
  },
  (t) => [index('outbox_unacked').on(t.ackedAt, t.deviceSeq)],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    opId: text('op_id').notNull(),
    at: text('at').notNull(),
    operatorId: text('operator_id').notNull(),
    kind: text('kind').notNull(),
    studentNo: text('student_no').notNull(),
    stepId: text('step_id').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    note: text('note').notNull().default(''),
  },
  (t) => [index('audit_log_student').on(t.studentNo, t.stepId)],
);

/** Where the sync client stands with the server; a single row. */
export const syncState = sqliteTable(
  'sync_state',
  {
    slot: integer('slot').primaryKey(),
    cursor: integer('cursor').notNull().default(0),
    serverSeq: integer('server_seq').notNull().default(0),
    lastPushAt: text('last_push_at'),
    lastPullAt: text('last_pull_at'),
    lastError: text('last_error'),
  },
  (t) => [check('sync_state_single_row', sql`${t.slot} = 1`)],
);

/**
 * The server's rows as last pulled, kept apart from step_states so that the local view can be
 * rebuilt as "server row + unacknowledged outbox ops" whenever either side moves: a pull never
 * overwrites a pending local change, and a rejected op rolls back to what the server holds.
 * Sparse like the server's table: no row means pending at version 0.
 */
export const serverStepStates = sqliteTable(
  'server_step_states',
  {
    studentNo: text('student_no').notNull(),
    stepId: text('step_id').notNull(),
    status: text('status', { enum: ['pending', 'passed', 'rejected'] }).notNull(),
    note: text('note').notNull(),
    version: integer('version').notNull(),
    updatedAt: text('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
    updatedByName: text('updated_by_name').notNull(),
    lastOpId: text('last_op_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.studentNo, t.stepId] })],
);

export const serverWaivers = sqliteTable(
  'server_waivers',
  {
    studentNo: text('student_no').notNull(),
    stepId: text('step_id').notNull(),
    lifted: integer('lifted', { mode: 'boolean' }).notNull(),
    note: text('note').notNull(),
    version: integer('version').notNull(),
    updatedAt: text('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
    lastOpId: text('last_op_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.studentNo, t.stepId] })],
);

/** Conflict records decided by the server (docs/sync-protocol.md), synced to every counter in scope. */
export const conflicts = sqliteTable(
  'conflicts',
  {
    id: integer('id').primaryKey(),
    kind: text('kind', { enum: ['pass_revoke', 'prerequisite_revoked'] }).notNull(),
    studentNo: text('student_no').notNull(),
    stepId: text('step_id').notNull(),
    winningOpId: text('winning_op_id'),
    flaggedOpId: text('flagged_op_id').notNull(),
    detail: text('detail').notNull(),
    resolved: integer('resolved', { mode: 'boolean' }).notNull(),
    resolvedBy: text('resolved_by'),
    resolvedAt: text('resolved_at'),
  },
  (t) => [index('conflicts_student').on(t.studentNo, t.stepId)],
);

/**
 * Restores of the server this counter noticed (a new history id): when the backup was taken,
 * when the counter noticed, and whether the operator dismissed the banner.
 */
export const serverRestores = sqliteTable('server_restores', {
  historyId: text('history_id').primaryKey(),
  backupOf: text('backup_of'),
  noticedAt: text('noticed_at').notNull(),
  dismissedAt: text('dismissed_at'),
});

/**
 * Changes this counter had seen that the restored server no longer holds, as the server
 * confirmed them (POST /api/sync/restore-report). This counter's own ops are not here: they are
 * sent again.
 */
export const restoreLosses = sqliteTable(
  'restore_losses',
  {
    historyId: text('history_id').notNull(),
    opId: text('op_id').notNull(),
    studentNo: text('student_no').notNull(),
    stepId: text('step_id').notNull(),
    change: text('change', { enum: ['passed', 'rejected', 'pending', 'lifted', 'imposed'] }).notNull(),
    note: text('note').notNull(),
    by: text('by').notNull(),
    byName: text('by_name').notNull(),
    at: text('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.historyId, t.opId] })],
);
