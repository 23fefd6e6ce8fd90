import { z } from 'zod';
import { batchDefinitionSchema } from '../domain/batch-definition';
import { OP_OUTCOMES, opSchema } from './ops';
import { noteField, operatorNoField, stepIdField, studentNoField, textField } from './text-rule';

/**
 * The sync protocol between counters and the central server (docs/sync-protocol.md). Both
 * sides validate with these schemas: the server its requests, the counter its responses.
 */

/** Ops per push request: fewer, larger requests push a long offline queue faster (10,000 ops: 2 requests). */
export const MAX_PUSH_OPS = 5000;
export const MAX_PULL_LIMIT = 5000;
export const DEFAULT_PULL_LIMIT = 1000;

export const SYNC_ERROR_CODES = [
  'bad_request',
  'invalid_json',
  'body_too_large',
  'unauthorized',
  'device_revoked',
  'forbidden',
  'rate_limited',
  'not_found',
  'seq_gap',
  'op_mismatch',
  'conflict',
  'unavailable',
  'internal',
] as const;
export type SyncErrorCode = (typeof SYNC_ERROR_CODES)[number];

/** Every non-2xx response. `message` is Chinese, fit to show an operator or administrator. */
export const errorResponseSchema = z.object({
  error: z.object({
    code: z.enum(SYNC_ERROR_CODES),
    message: z.string(),
    /** seq_gap: the deviceSeq the server expects next. */
    expectedDeviceSeq: z.number().int().optional(),
    /** bad_request: which fields were wrong. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

const operatorNo = operatorNoField;
const password = z.string().min(1, { error: '请输入密码' }).max(200, { error: '密码过长' });

export const grantSchema = z.object({
  checkpointId: z.string(),
  colleges: z.union([z.literal('all'), z.array(z.string())]),
});

const operatorRef = z.object({ id: z.string(), name: z.string() });
const batchRef = z.object({ id: z.string(), name: z.string() });

/**
 * An operator's online sign-in on one device: every op they make there carries the token
 * until `expiresAt`; after it, ops are marked as made under an offline sign-in.
 */
export const operatorSessionSchema = z.object({ token: z.string(), expiresAt: z.string() });
export type OperatorSession = z.infer<typeof operatorSessionSchema>;

/** Which students a device replicates (src-shared/domain/roster-scope.ts). */
export const rosterScopeSchema = z.union([
  z.object({ all: z.literal(true) }),
  z.object({ all: z.literal(false), colleges: z.array(z.string()) }),
]);

/** What the server holds of an operator admitted to a device: the counter's offline sign-in follows it. */
export const deviceOperatorSchema = z.object({
  id: z.string(),
  name: z.string(),
  disabled: z.boolean(),
  /** Raised by every new password: a cached password of an older version no longer signs in offline. */
  passwordVersion: z.number().int(),
  grants: z.array(grantSchema),
});
export type DeviceOperator = z.infer<typeof deviceOperatorSchema>;

/** The device's roster scope and operators as the server sees them now; with every pull page. */
export const deviceAccessSchema = z.object({ scope: rosterScopeSchema, operators: z.array(deviceOperatorSchema) });
export type DeviceAccess = z.infer<typeof deviceAccessSchema>;

/** POST /api/login. With a device token it also admits the operator to that device. */
export const loginRequestSchema = z.object({ operatorNo, password }).strict();
export const loginResponseSchema = z.object({
  operator: operatorRef,
  grants: z.array(grantSchema),
  batches: z.array(batchRef),
  /** True when the device's scope widened: it must download a fresh snapshot. */
  resnapshot: z.boolean(),
  /** With a device token: the operator's session on that device; null without one (setup). */
  session: operatorSessionSchema.nullable(),
  passwordVersion: z.number().int(),
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;

/** POST /api/devices: a counter registers itself; the token is shown once and stored hashed. */
export const registerDeviceRequestSchema = z
  .object({
    operatorNo,
    password,
    name: textField('柜台名称', { max: 64, required: true, trim: true }),
    batchId: textField('离校批次', { max: 64, required: true, requiredMessage: '请选择离校批次' }),
    /** The one-time code an administrator issued (npm run admin -- registration-code); missing is told like empty. */
    registrationCode: textField('柜台注册码', { max: 32, required: true, trim: true, requiredMessage: '请输入管理员给的柜台注册码' }).prefault(''),
  })
  .strict();
export const registerDeviceResponseSchema = z.object({
  deviceId: z.string(),
  token: z.string(),
  batch: batchRef,
  operator: operatorRef,
  grants: z.array(grantSchema),
  /** The registering operator's session on the new device. */
  session: operatorSessionSchema,
  passwordVersion: z.number().int(),
});
export type RegisterDeviceResponse = z.infer<typeof registerDeviceResponseSchema>;

const seqNumber = z.number().int();

/**
 * The server's history: a new id with the database and with every restore from a backup
 * (docs/sync-protocol.md, "History"). Every pull, push, snapshot and event answer carries it;
 * a counter that sees a new id rebuilds its server rows from a fresh snapshot.
 */
export const serverHistorySchema = z.object({
  id: z.string(),
  /** When the backup this history restarted from was taken; null for a history that began with the database. */
  backupOf: z.string().nullable(),
  restoredAt: z.string().nullable(),
});
export type ServerHistory = z.infer<typeof serverHistorySchema>;

/** A point of the server's history: its committed seq and that seq's random mark (null before any). */
export const syncPositionSchema = z.object({ history: serverHistorySchema, seq: seqNumber, mark: z.string().nullable() });
export type SyncPosition = z.infer<typeof syncPositionSchema>;

/** POST /api/sync/push: the device's next outbox ops, in deviceSeq order. */
export const pushRequestSchema = z
  .object({
    ops: z
      .array(opSchema)
      .min(1, { error: '没有要上传的操作' })
      .max(MAX_PUSH_OPS, { error: `一次最多上传 ${MAX_PUSH_OPS} 个操作` }),
  })
  .strict();
export type PushRequest = z.input<typeof pushRequestSchema>;

export const opResultSchema = z.object({
  opId: z.string(),
  deviceSeq: z.number().int(),
  outcome: z.enum(OP_OUTCOMES),
  /** Whether the op changed server state; a 'conflict' may have been applied (revoke wins) or not. */
  applied: z.boolean(),
  /** Why it was rejected, not applied, or flagged; Chinese, for the operator. */
  reason: z.string().nullable(),
  conflictId: z.number().int().nullable(),
  /** The version of the step state or waiver the op produced, when it changed one. */
  version: z.number().int().nullable(),
  seq: z.number().int(),
  /** The op had been received before; this is the stored outcome. */
  duplicate: z.boolean(),
});
export type OpResult = z.infer<typeof opResultSchema>;

export const pushResponseSchema = z.object({
  results: z.array(opResultSchema),
  /** Highest deviceSeq the server has stored for this device. */
  lastDeviceSeq: z.number().int(),
  serverSeq: z.number().int(),
  history: serverHistorySchema,
});
export type PushResponse = z.infer<typeof pushResponseSchema>;

/**
 * The position a counter last saw (its history id, that answer's serverSeq and mark), sent
 * with pull and snapshot: a database restored by other means answers a position it no longer
 * holds with a new history.
 */
export const positionQuerySchema = z.object({
  history: z.string().max(64, { error: 'history 过长' }).optional(),
  seenSeq: z.coerce.number({ error: 'seenSeq 必须是数字' }).int().min(0, { error: 'seenSeq 不能为负数' }).optional(),
  seenMark: z.string().max(64, { error: 'seenMark 过长' }).optional(),
});

/** GET /api/sync/pull?cursor=&limit=[&history=&seenSeq=&seenMark=] */
export const pullQuerySchema = positionQuerySchema.extend({
  cursor: z.coerce.number({ error: 'cursor 必须是数字' }).int().min(0, { error: 'cursor 不能为负数' }),
  limit: z.coerce
    .number({ error: 'limit 必须是数字' })
    .int()
    .min(1, { error: 'limit 至少为 1' })
    .max(MAX_PULL_LIMIT, { error: `limit 最大为 ${MAX_PULL_LIMIT}` })
    .default(DEFAULT_PULL_LIMIT),
});

const seq = z.number().int();

export const studentRowSchema = z.object({
  type: z.literal('student'),
  seq,
  studentNo: z.string(),
  name: z.string(),
  gender: z.enum(['男', '女']),
  college: z.string(),
  major: z.string(),
  className: z.string(),
  dorm: z.string().nullable(),
  /** The last 4 only (maskIdCard). */
  idCardMasked: z.string(),
  /** The first hex digit of HMAC-SHA256(idHashKey, 身份证号) (idHashPrefix): with idLast6, an exact-match search. */
  idHash: z.string(),
  idLast6: z.string(),
  isPrevious: z.boolean(),
  flags: z.record(z.string(), z.boolean()),
  /**
   * False for a student who moved to a college outside the device's roster scope: the row still
   * comes, so the counter learns they left and stops treating them as its own.
   */
  inScope: z.boolean().default(true),
  /** Why the student was taken out of the batch (延期毕业…); null while they are in it. */
  withdrawnReason: z.string().nullable().default(null),
});

export const stateRowSchema = z.object({
  type: z.literal('state'),
  seq,
  studentNo: z.string(),
  stepId: z.string(),
  status: z.enum(['pending', 'passed', 'rejected']),
  note: z.string(),
  version: z.number().int(),
  updatedAt: z.string(),
  updatedBy: z.string(),
  updatedByName: z.string(),
  lastOpId: z.string(),
});

export const waiverRowSchema = z.object({
  type: z.literal('waiver'),
  seq,
  studentNo: z.string(),
  stepId: z.string(),
  lifted: z.boolean(),
  version: z.number().int(),
  note: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
  lastOpId: z.string(),
});

export const CONFLICT_KINDS = ['pass_revoke', 'prerequisite_revoked'] as const;

export const conflictRowSchema = z.object({
  type: z.literal('conflict'),
  seq,
  id: z.number().int(),
  kind: z.enum(CONFLICT_KINDS),
  studentNo: z.string(),
  stepId: z.string(),
  /** The op that stands (the revoke); null when no revoke of the prerequisite is on record. */
  winningOpId: z.string().nullable(),
  /** The op a supervisor should look at (the pass). */
  flaggedOpId: z.string(),
  detail: z.string(),
  resolved: z.boolean(),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
});

/** The outcome of one of this device's own ops (also returned by push; here for lost responses). */
export const opRowSchema = opResultSchema.omit({ duplicate: true }).extend({ type: z.literal('op') });

export const syncRowSchema = z.discriminatedUnion('type', [
  studentRowSchema,
  stateRowSchema,
  waiverRowSchema,
  conflictRowSchema,
  opRowSchema,
]);
export type SyncRow = z.infer<typeof syncRowSchema>;
export type StudentRow = z.infer<typeof studentRowSchema>;
export type StateRow = z.infer<typeof stateRowSchema>;
export type WaiverRow = z.infer<typeof waiverRowSchema>;
export type ConflictRow = z.infer<typeof conflictRowSchema>;
export type OpRow = z.infer<typeof opRowSchema>;

export const pullResponseSchema = z.object({
  /** Rows with cursor < seq <= the new cursor, in seq order. */
  rows: z.array(syncRowSchema),
  /** Store it with the rows, in one local transaction; send it with the next pull. */
  cursor: seq,
  /** More rows are waiting: pull again at once. */
  hasMore: z.boolean(),
  serverSeq: seq,
  history: serverHistorySchema,
  /** The mark of serverSeq: send it back with the next pull (seenMark). */
  mark: z.string().nullable(),
  /** The scope these rows were read in and the device's operators: a changed scope means a fresh snapshot. */
  access: deviceAccessSchema,
});
export type PullResponse = z.infer<typeof pullResponseSchema>;

/**
 * GET /api/sync/snapshot, as NDJSON: a header, every row in the device's scope as it stood at
 * `seq`, then an end line. Pull from `seq` afterwards.
 */
export const snapshotHeaderSchema = z.object({
  type: z.literal('header'),
  seq,
  batch: z.object({ id: z.string(), name: z.string(), definition: batchDefinitionSchema }),
  /** The key behind idHash; a counter keeps it beside its replica, never in it. */
  idHashKey: z.string(),
  history: serverHistorySchema,
  /** The mark of seq. */
  mark: z.string().nullable(),
  /** The roster scope the rows were read in. */
  scope: rosterScopeSchema,
  /** Row counts that follow, for a progress bar. */
  counts: z.object({
    students: z.number().int(),
    states: z.number().int(),
    waivers: z.number().int(),
    conflicts: z.number().int(),
    ops: z.number().int(),
  }),
});
export const snapshotEndSchema = z.object({ type: z.literal('end'), seq, rows: z.number().int() });
export const snapshotLineSchema = z.discriminatedUnion('type', [
  snapshotHeaderSchema,
  snapshotEndSchema,
  studentRowSchema,
  stateRowSchema,
  waiverRowSchema,
  conflictRowSchema,
  opRowSchema,
]);
export type SnapshotHeader = z.infer<typeof snapshotHeaderSchema>;
export type SnapshotLine = z.infer<typeof snapshotLineSchema>;

/** GET /api/sync/events: server-sent events named "changed" carrying this, as JSON. */
export const changedEventSchema = z.object({ seq, history: z.string() });
export type ChangedEvent = z.infer<typeof changedEventSchema>;

/**
 * POST /api/integration/steps, with header `x-api-key`: another campus system sets the status
 * of one of its steps. opId makes retries safe.
 */
export const integrationWriteRequestSchema = z
  .object({
    opId: z.uuid({ error: 'opId 必须是 UUID' }),
    studentNo: studentNoField,
    stepId: stepIdField,
    status: z.enum(['passed', 'rejected', 'pending'], { error: 'status 必须是 passed、rejected 或 pending' }),
    note: noteField.default(''),
    /** When it happened in the other system; defaults to the time the server receives it. */
    time: z.iso.datetime({ offset: true, error: 'time 必须是 ISO 8601 时间' }).optional(),
  })
  .strict();
export type IntegrationWriteRequest = z.input<typeof integrationWriteRequestSchema>;
export const integrationWriteResponseSchema = opResultSchema;

/** Most items one bulk write may carry: a whole cohort's step in one request. */
export const INTEGRATION_BULK_MAX_ITEMS = 50_000;

/**
 * POST /api/integration/steps with `{ "items": [...] }` (JSON), or one item per line
 * (`application/x-ndjson`): many writes at once, each an item as above with its own opId. The
 * whole body is checked before anything is applied; a bad item refuses the request, naming it by
 * its index (items.<i>, counted from 0).
 */
export const integrationBulkWriteRequestSchema = z
  .object({
    items: z
      .array(integrationWriteRequestSchema)
      .min(1, { error: 'items 不能为空' })
      .max(INTEGRATION_BULK_MAX_ITEMS, { error: `一次最多 ${INTEGRATION_BULK_MAX_ITEMS} 条，请分批提交` }),
  })
  .strict()
  .superRefine((body, check) => {
    const first = new Map<string, number>();
    body.items.forEach((item, index) => {
      const earlier = first.get(item.opId);
      if (earlier === undefined) first.set(item.opId, index);
      else check.addIssue({ code: 'custom', path: ['items', index, 'opId'], message: `opId 与第 ${earlier} 条重复，每条须有自己的 opId` });
    });
  });
export type IntegrationBulkWriteRequest = z.input<typeof integrationBulkWriteRequestSchema>;

export const integrationBulkWriteResponseSchema = z.object({
  /** How many items had each outcome; `duplicates` of them had been received before. */
  counts: z.object({ total: z.number().int(), applied: z.number().int(), conflict: z.number().int(), rejected: z.number().int(), duplicates: z.number().int() }),
  /** One result per item, in the order of the items. */
  results: z.array(opResultSchema),
});
export type IntegrationBulkWriteResponse = z.infer<typeof integrationBulkWriteResponseSchema>;

/** The share of a step's passes a full list may revoke without `confirm` repeating the number. */
export const CLEARED_LIST_REVOKE_SHARE = 0.1;

/**
 * PUT /api/integration/steps/:stepId/cleared: the complete list of 学号 the other system
 * considers cleared — JSON `{ "studentNos": [...] }`, or a CSV (UTF-8 or GBK) / xlsx whose
 * first column holds the 学号 (a header cell 学号 is skipped). Those not yet passed are passed;
 * on a step the key is authoritative for, its own passes missing from the list are revoked.
 */
export const clearedListJsonSchema = z
  .object({ studentNos: z.array(studentNoField).max(INTEGRATION_BULK_MAX_ITEMS, { error: `名单最多 ${INTEGRATION_BULK_MAX_ITEMS} 个学号` }) })
  .strict();
export const clearedListQuerySchema = z
  .object({
    /** 1: answer the difference, write nothing. */
    dryRun: z.enum(['0', '1'], { error: 'dryRun 只能是 0 或 1' }).optional(),
    /** Repeats the number of revokes a dry run showed, to let through more than the usual share. */
    confirm: z.coerce.number({ error: 'confirm 必须是整数' }).int({ error: 'confirm 必须是整数' }).min(0).optional(),
  })
  .strict();

export const clearedListResponseSchema = z.object({
  stepId: z.string(),
  dryRun: z.boolean(),
  /** How many 学号 the list held, and how many passes the step had before. */
  listed: z.number().int(),
  passedBefore: z.number().int(),
  /** Listed but not passed: these get a pass. */
  toPass: z.array(z.string()),
  /** Passed by this key, missing from the list (authoritative steps only): these are revoked. */
  toRevoke: z.array(z.string()),
  /** What applying did (absent on a dry run). */
  applied: integrationBulkWriteResponseSchema.shape.counts.nullable(),
});
export type ClearedListResponse = z.infer<typeof clearedListResponseSchema>;

/** One change a counter had seen that the restored server no longer holds (the server row's last op). */
export const restoreLossSchema = z.object({
  opId: z.string().max(64),
  studentNo: studentNoField,
  stepId: stepIdField,
  /** What the change had set: passed / rejected / pending, or lifted / imposed for a waiver. */
  change: z.enum(['passed', 'rejected', 'pending', 'lifted', 'imposed']),
  note: z.string().max(2000),
  /** updatedBy of the row: an operator's 工号, an integration key id, or 'roster'. */
  by: z.string().max(200),
  byName: z.string().max(200),
  at: z.string().max(64),
});
export type RestoreLoss = z.infer<typeof restoreLossSchema>;

export const MAX_RESTORE_LOSSES = 50_000;

/**
 * POST /api/sync/restore-report: after a restore, the changes this counter had seen that the
 * server lacks. The answer lists those the server really lacks (ops it holds again — resent by
 * their counter, or older ones a newer change replaced — are left out); repeating a report is
 * harmless.
 */
export const restoreReportRequestSchema = z
  .object({
    history: z.string().max(64),
    losses: z.array(restoreLossSchema).max(MAX_RESTORE_LOSSES, { error: `一次最多报告 ${MAX_RESTORE_LOSSES} 条` }),
  })
  .strict();
export type RestoreReportRequest = z.infer<typeof restoreReportRequestSchema>;
export const restoreReportResponseSchema = z.object({ losses: z.array(restoreLossSchema) });

/** POST /api/conflicts/:id/resolve: a supervisor marks a conflict as looked at. */
export const resolveConflictRequestSchema = z.object({ operatorNo }).strict();
export const resolveConflictResponseSchema = conflictRowSchema;
