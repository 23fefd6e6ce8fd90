import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';
import type { BatchDef } from '../../src-shared/domain/types';
import type { LeaderScope } from '../../src-shared/domain/console-roles';

/**
 * The central server's tables. The SQL that creates them lives in ./migrations.ts (generated
 * from this file with drizzle-kit, then bundled); keep both in step.
 *
 * Every row a counter replicates carries `seq`: the value of the global counter (sync_seq) at
 * the change that last touched it. Pull reads rows with seq > cursor.
 */

const seq = () => bigint('seq', { mode: 'number' }).notNull();
const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow();

/** One row, id = 1. Bumped inside every writing transaction; its row lock orders commits by seq. */
export const syncSeq = pgTable('sync_seq', {
  id: integer('id').primaryKey(),
  value: bigint('value', { mode: 'number' }).notNull(),
});

/**
 * The server's history: a new id with the database, and with every restore. The rows live in
 * the database, so a restored database brings back the id of its backup; the server and the
 * counters notice that by the marks (src-server/sync/history.ts) and renew it. The current
 * history is the newest row.
 */
export const serverHistory = pgTable('server_history', {
  id: text('id').primaryKey(),
  createdAt: createdAt(),
  /** When the backup this history restarted from was taken (null: the history began with the database). */
  backupOf: timestamp('backup_of', { withTimezone: true, mode: 'string' }),
  restoredAt: timestamp('restored_at', { withTimezone: true, mode: 'string' }),
  /** How the restore became known: 'restore' (the admin command), 'rewound' (a database came back by other means). */
  cause: text('cause').$type<'created' | 'restore' | 'rewound'>().notNull(),
});

/**
 * One random mark per seq reservation, keyed by the last seq reserved: every committed seq a
 * client can see has one. A client that remembers (history, seq, mark) can tell a database
 * that holds that seq from one that was restored and has since reused the number.
 */
export const syncMarks = pgTable('sync_marks', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  mark: text('mark').notNull(),
});

/**
 * Changes counters had seen that a restore dropped, as they reported them (POST
 * /api/sync/restore-report), once per lost op. `source` is who made the change: an operator's
 * 工号, an integration key id, or 'roster'.
 */
export const restoreLosses = pgTable(
  'restore_losses',
  {
    historyId: text('history_id').notNull(),
    opId: text('op_id').notNull(),
    sourceKind: text('source_kind').$type<'operator' | 'integration' | 'roster'>().notNull(),
    source: text('source').notNull(),
    sourceName: text('source_name').notNull(),
    studentNo: text('student_no').notNull(),
    stepId: text('step_id').notNull(),
    /** What the lost change had set: passed / rejected / pending, or lifted / imposed for a waiver. */
    change: text('change').notNull(),
    note: text('note').notNull(),
    changedAt: text('changed_at').notNull(),
    reportedBy: text('reported_by').notNull(),
    reportedAt: timestamp('reported_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.historyId, t.opId] })],
);

export const batches = pgTable('batches', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  definition: jsonb('definition').$type<BatchDef>().notNull(),
  /** Key of the HMAC behind students.id_hash; counters get it in the snapshot and keep it outside their replica. */
  idHashKey: text('id_hash_key').notNull(),
  createdAt: createdAt(),
});

export const students = pgTable(
  'students',
  {
    batchId: text('batch_id')
      .notNull()
      .references(() => batches.id),
    studentNo: text('student_no').notNull(),
    name: text('name').notNull(),
    gender: text('gender').$type<'男' | '女'>().notNull(),
    college: text('college').notNull(),
    major: text('major').notNull(),
    className: text('class_name').notNull(),
    dorm: text('dorm'),
    /** First hex digit of HMAC-SHA256(id_hash_key, 身份证号) (idHashPrefix): with id_last6, an exact search. */
    idHash: text('id_hash').notNull(),
    /** Only the last 4 (maskIdCard); the region code is not kept. */
    idMasked: text('id_masked').notNull(),
    idLast6: text('id_last6').notNull(),
    isPrevious: boolean('is_previous').notNull(),
    flags: jsonb('flags').$type<Record<string, boolean>>().notNull(),
    /** Set while the student is out of the batch (延期毕业, 结业, 退学): their rows stay, nobody acts on them. */
    withdrawnReason: text('withdrawn_reason'),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true, mode: 'string' }),
    withdrawnBy: text('withdrawn_by'),
    seq: seq(),
  },
  (t) => [
    primaryKey({ columns: [t.batchId, t.studentNo] }),
    index('students_seq_idx').on(t.batchId, t.seq),
    index('students_college_idx').on(t.batchId, t.college),
  ],
);

/**
 * Who changed a student's place in the batch, when: a college change by a roster import, a
 * withdrawal, a restore. A college counter keeps receiving the rows of a student who moved
 * out of its colleges (`from_college`), so it learns they left. `seq` is that of the students
 * row the change wrote.
 */
export const rosterChanges = pgTable(
  'roster_changes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    batchId: text('batch_id').notNull(),
    studentNo: text('student_no').notNull(),
    kind: text('kind').$type<'college' | 'withdraw' | 'restore'>().notNull(),
    fromCollege: text('from_college'),
    toCollege: text('to_college'),
    reason: text('reason'),
    changedBy: text('changed_by').notNull(),
    changedAt: timestamp('changed_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    seq: seq(),
  },
  (t) => [index('roster_changes_student_idx').on(t.batchId, t.studentNo)],
);

export const stepStates = pgTable(
  'step_states',
  {
    batchId: text('batch_id').notNull(),
    studentNo: text('student_no').notNull(),
    stepId: text('step_id').notNull(),
    status: text('status').$type<'pending' | 'passed' | 'rejected'>().notNull(),
    note: text('note').notNull(),
    version: integer('version').notNull(),
    /** When the operator acted (the op's clientTime), not when the server heard of it. */
    updatedAt: text('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
    updatedByName: text('updated_by_name').notNull(),
    lastOpId: text('last_op_id').notNull(),
    seq: seq(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.studentNo, t.stepId] }), index('step_states_seq_idx').on(t.batchId, t.seq)],
);

export const waivers = pgTable(
  'waivers',
  {
    batchId: text('batch_id').notNull(),
    studentNo: text('student_no').notNull(),
    stepId: text('step_id').notNull(),
    lifted: boolean('lifted').notNull(),
    /** Counts changes like step_states.version; counters send it as the base of lift/impose. */
    version: integer('version').notNull().default(0),
    note: text('note').notNull(),
    updatedAt: text('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
    lastOpId: text('last_op_id').notNull(),
    seq: seq(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.studentNo, t.stepId] }), index('waivers_seq_idx').on(t.batchId, t.seq)],
);

/** Every op ever received, once, with what became of it. The op log the state replays from. */
export const ops = pgTable(
  'ops',
  {
    opId: text('op_id').primaryKey(),
    batchId: text('batch_id').notNull(),
    deviceId: text('device_id').notNull(),
    deviceSeq: integer('device_seq').notNull(),
    operatorId: text('operator_id').notNull(),
    kind: text('kind').$type<'pass' | 'reject' | 'revoke' | 'lift' | 'impose'>().notNull(),
    studentNo: text('student_no').notNull(),
    stepId: text('step_id').notNull(),
    note: text('note').notNull(),
    baseVersion: integer('base_version').notNull(),
    clientTime: text('client_time').notNull(),
    outcome: text('outcome').$type<'applied' | 'conflict' | 'rejected'>().notNull(),
    /** Whether the op changed state; a 'conflict' op may have been applied (revoke wins) or not. */
    applied: boolean('applied').notNull(),
    reason: text('reason'),
    /** The step-state or waiver version this op produced, when it changed one. */
    resultVersion: integer('result_version'),
    conflictId: bigint('conflict_id', { mode: 'number' }),
    /** Counter ops: made under an online sign-in's session ('session') or an offline one ('offline'); null for integrations and the server. */
    signIn: text('sign_in').$type<'session' | 'offline'>(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    seq: seq(),
  },
  (t) => [
    unique('ops_device_seq_unique').on(t.deviceId, t.deviceSeq),
    index('ops_step_idx').on(t.batchId, t.studentNo, t.stepId),
    index('ops_device_seq_idx').on(t.deviceId, t.seq),
  ],
);

export const conflicts = pgTable(
  'conflicts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    batchId: text('batch_id').notNull(),
    kind: text('kind').$type<'pass_revoke' | 'prerequisite_revoked'>().notNull(),
    studentNo: text('student_no').notNull(),
    stepId: text('step_id').notNull(),
    /** The op that stands (the revoke); null when no revoke of a prerequisite is on record. */
    winningOpId: text('winning_op_id'),
    /** The op flagged for a supervisor (the pass). */
    flaggedOpId: text('flagged_op_id').notNull(),
    detail: text('detail').notNull(),
    resolved: boolean('resolved').notNull().default(false),
    resolvedBy: text('resolved_by'),
    resolvedAt: text('resolved_at'),
    createdAt: createdAt(),
    seq: seq(),
  },
  (t) => [index('conflicts_seq_idx').on(t.batchId, t.seq)],
);

export const operators = pgTable('operators', {
  operatorNo: text('operator_no').primaryKey(),
  name: text('name').notNull(),
  /** "scrypt$N$r$p$salt$hash", base64 parts. */
  passwordHash: text('password_hash').notNull(),
  /** A disabled operator cannot sign in anywhere, and ops carrying their 工号 are refused. */
  disabled: boolean('disabled').notNull().default(false),
  /**
   * Raised by every new password (not by a rehash at a higher cost): a counter whose cached
   * record names an older version stops accepting that password offline.
   */
  passwordVersion: integer('password_version').notNull().default(1),
  createdAt: createdAt(),
});

/** Console roles beyond 操作员 (which every operator has): 管理员, or 领导查询 with its scope. */
export const consoleRoles = pgTable('console_roles', {
  operatorNo: text('operator_no')
    .primaryKey()
    .references(() => operators.operatorNo),
  role: text('role').$type<'admin' | 'leader'>().notNull(),
  scope: jsonb('scope').$type<LeaderScope>().notNull(),
});

/** Signed-in console browsers: only the hash of the cookie's token is kept. */
export const consoleSessions = pgTable('console_sessions', {
  tokenHash: text('token_hash').primaryKey(),
  operatorNo: text('operator_no')
    .notNull()
    .references(() => operators.operatorNo),
  createdAt: createdAt(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'string' }).notNull(),
});

/** 操作日志: every change made in the console, who and when. */
export const consoleLog = pgTable('console_log', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  at: timestamp('at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  by: text('by').notNull(),
  action: text('action').notNull(),
  detail: text('detail').notNull(),
});

/**
 * Wrong sign-ins by key ("address:10.0.0.7", "operator:T0001", "operator-at:T0001@10.0.0.7"):
 * how many in a row, the last one, and until when the next attempt must wait.
 */
export const signInFailures = pgTable('sign_in_failures', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  lastFailureAt: timestamp('last_failure_at', { withTimezone: true }).notNull(),
  waitUntil: timestamp('wait_until', { withTimezone: true }).notNull(),
});

export const grants = pgTable(
  'grants',
  {
    operatorNo: text('operator_no')
      .notNull()
      .references(() => operators.operatorNo),
    checkpointId: text('checkpoint_id').notNull(),
    colleges: jsonb('colleges').$type<'all' | string[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.operatorNo, t.checkpointId] })],
);

export const devices = pgTable('devices', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  batchId: text('batch_id')
    .notNull()
    .references(() => batches.id),
  tokenHash: text('token_hash').notNull().unique(),
  registeredBy: text('registered_by')
    .notNull()
    .references(() => operators.operatorNo),
  /** Highest deviceSeq stored; the next push must start right after it. */
  lastSeq: integer('last_seq').notNull().default(0),
  revoked: boolean('revoked').notNull().default(false),
  createdAt: createdAt(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'string' }),
});

/** Operators who have signed in on a device: the only ones whose ops that device may carry. */
export const deviceOperators = pgTable(
  'device_operators',
  {
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    operatorNo: text('operator_no')
      .notNull()
      .references(() => operators.operatorNo),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.operatorNo] })],
);

/** An operator's online sign-in on a device: the session every op they make there carries. Only the token's hash is kept. */
export const operatorSessions = pgTable(
  'operator_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    operatorNo: text('operator_no')
      .notNull()
      .references(() => operators.operatorNo),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'string' }).notNull(),
  },
  (t) => [index('operator_sessions_device_idx').on(t.deviceId, t.operatorNo)],
);

/** One-time codes an administrator issues; registering a counter uses one up. Only the code's hash is kept. */
export const registrationCodes = pgTable('registration_codes', {
  codeHash: text('code_hash').primaryKey(),
  createdAt: createdAt(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'string' }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true, mode: 'string' }),
  /** The counter registered with it. */
  deviceId: text('device_id'),
});

/** Another campus system (library, finance) writing its own steps through the op path. */
export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  batchId: text('batch_id')
    .notNull()
    .references(() => batches.id),
  keyHash: text('key_hash').notNull().unique(),
  stepIds: jsonb('step_ids').$type<string[]>().notNull(),
  /** Steps whose full list (PUT …/cleared) may also revoke this key's own passes missing from it. */
  authoritativeStepIds: jsonb('authoritative_step_ids').$type<string[]>().notNull().default([]),
  revoked: boolean('revoked').notNull().default(false),
  createdAt: createdAt(),
});

export const schemaMigrations = pgTable('schema_migrations', {
  version: integer('version').primaryKey(),
  name: text('name').notNull(),
  appliedAt: timestamp('applied_at', { withTimezone: true, mode: 'string' }).notNull().default(sql`now()`),
});

/** Raw bytes; PGlite hands back a Uint8Array, node-postgres a Buffer. */
const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

/**
 * Counter releases served at /updates/ (src-server/updates). Kept in the database, not on the
 * server's disk, so every server process sharing the PostgreSQL serves the same feed and it
 * survives a restart with PGlite as with PostgreSQL.
 */
export const updateReleases = pgTable('update_releases', {
  version: text('version').primaryKey(),
  /** electron-updater's stagingPercentage: the share of counters offered this release. */
  stagingPercentage: integer('staging_percentage').notNull().default(100),
  publishedAt: timestamp('published_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  withdrawnAt: timestamp('withdrawn_at', { withTimezone: true, mode: 'string' }),
});

/** One file of a release: an update channel file (latest*.yml), an installer or a blockmap. */
export const updateFiles = pgTable(
  'update_files',
  {
    version: text('version')
      .notNull()
      .references(() => updateReleases.version),
    name: text('name').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    /** base64, as electron-builder writes it in the channel file. */
    sha512: text('sha512').notNull(),
  },
  (t) => [primaryKey({ columns: [t.version, t.name] })],
);

/** A file's bytes in fixed-size chunks, so a range request reads only the chunks it needs. */
export const updateFileChunks = pgTable(
  'update_file_chunks',
  {
    version: text('version').notNull(),
    name: text('name').notNull(),
    idx: integer('idx').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.version, t.name, t.idx] })],
);

/**
 * The password a student chose on the student page (scrypt, like operators'). Without a row the
 * student signs in with the last 6 of their 身份证号; a reset with 学号 + last 6 replaces it.
 */
export const studentPasswords = pgTable(
  'student_passwords',
  {
    batchId: text('batch_id').notNull(),
    studentNo: text('student_no').notNull(),
    passwordHash: text('password_hash').notNull(),
    setAt: timestamp('set_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.studentNo] })],
);

/** Signed-in student browsers: only the hash of the cookie's token is kept. */
export const studentSessions = pgTable(
  'student_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    batchId: text('batch_id').notNull(),
    studentNo: text('student_no').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'string' }).notNull(),
  },
  (t) => [index('student_sessions_student_idx').on(t.batchId, t.studentNo)],
);
