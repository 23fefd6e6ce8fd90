import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
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

export const batches = pgTable('batches', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  definition: jsonb('definition').$type<BatchDef>().notNull(),
  /** Key of the HMAC that turns a 身份证号 into students.id_hash; counters get it to search by exact number. */
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
    idHash: text('id_hash').notNull(),
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
  createdAt: createdAt(),
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

/** Another campus system (library, finance) writing its own steps through the op path. */
export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  batchId: text('batch_id')
    .notNull()
    .references(() => batches.id),
  keyHash: text('key_hash').notNull().unique(),
  stepIds: jsonb('step_ids').$type<string[]>().notNull(),
  revoked: boolean('revoked').notNull().default(false),
  createdAt: createdAt(),
});

export const schemaMigrations = pgTable('schema_migrations', {
  version: integer('version').primaryKey(),
  name: text('name').notNull(),
  appliedAt: timestamp('applied_at', { withTimezone: true, mode: 'string' }).notNull().default(sql`now()`),
});
