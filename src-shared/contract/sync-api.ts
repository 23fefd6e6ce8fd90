import { z } from 'zod';
import { OP_KINDS } from './ops';
import { CONFLICT_KINDS } from './sync';
import { rescueUploadSchema } from './rescue';
import { textField } from './text-rule';

/** The counter API's sync methods: the status line, the conflicts panel, first-run setup. */

/** One op named by a conflict; details only when it is this counter's own (other counters' ops are known by id). */
export const conflictOpSchema = z.object({
  opId: z.string(),
  local: z.boolean(),
  kind: z.enum(OP_KINDS).nullable(),
  operatorId: z.string().nullable(),
  clientTime: z.string().nullable(),
  note: z.string().nullable(),
});

export const conflictItemSchema = z.object({
  id: z.number().int(),
  kind: z.enum(CONFLICT_KINDS),
  studentNo: z.string(),
  studentName: z.string().nullable(),
  stepId: z.string(),
  stepName: z.string(),
  detail: z.string(),
  resolved: z.boolean(),
  winning: conflictOpSchema.nullable(),
  flagged: conflictOpSchema,
});

/** One of this counter's own ops, as the sync panel names it. */
export const outboxOpSchema = z.object({
  opId: z.string(),
  deviceSeq: z.number().int(),
  kind: z.enum(OP_KINDS),
  studentNo: z.string(),
  studentName: z.string().nullable(),
  stepId: z.string(),
  stepName: z.string(),
  operatorId: z.string(),
  clientTime: z.string(),
  note: z.string(),
});
export type OutboxOpDto = z.infer<typeof outboxOpSchema>;

export const rejectedOpSchema = outboxOpSchema.extend({ reason: z.string() });

/**
 * An op an older build let into the outbox with text the server cannot store, uploaded in its
 * repaired form; `original` spells out what was there (the refused characters as [U+0000]).
 */
export const repairedOpSchema = outboxOpSchema.extend({ original: z.string(), sent: z.boolean() });

/** The oldest unsent op, after the server refused the pushes starting with it several times running. */
export const stuckOpSchema = outboxOpSchema.extend({ failures: z.number().int(), error: z.string() });

/** A change this counter had seen that the restored server no longer holds (student, step, who, when). */
export const restoreLossItemSchema = z.object({
  studentNo: z.string(),
  studentName: z.string().nullable(),
  stepId: z.string(),
  stepName: z.string(),
  change: z.enum(['passed', 'rejected', 'pending', 'lifted', 'imposed']),
  note: z.string(),
  byName: z.string(),
  at: z.string(),
});

/** Most losses the status carries; `count` is the whole number. */
export const RESTORE_LOSSES_SHOWN = 200;

/** The server was restored from a backup; the counter has caught up. Shown as a banner until dismissed. */
export const restoreNoticeSchema = z.object({
  historyId: z.string(),
  /** When the backup was taken (null: the server could not tell). */
  backupOf: z.string().nullable(),
  noticedAt: z.string(),
  count: z.number().int(),
  losses: z.array(restoreLossItemSchema),
});
export type RestoreNoticeDto = z.infer<typeof restoreNoticeSchema>;

export const dismissRestoreInputSchema = z.object({ historyId: z.string().max(64) });

/** The server now presents another certificate than the one this counter pinned. */
export const certificateChangeSchema = z.object({ pinned: z.string(), presented: z.string() });

export const syncStatusSchema = z.object({
  /** False for a stand-alone replica (no server): the status line says so. */
  configured: z.boolean(),
  /**
   * 'offline' only when the server could not be reached; 'error' when it answered with an error;
   * 'local_error' when this counter's own replica failed. `lastError` says what happened.
   */
  state: z.enum(['online', 'offline', 'syncing', 'error', 'local_error']),
  unsent: z.number().int(),
  lastSyncAt: z.string().nullable(),
  lastError: z.string().nullable(),
  /** The last successful sync is older than five minutes, or there never was one. */
  stale: z.boolean(),
  /** This counter's device token is gone from its token store: no sync until it is registered again; lastError says so. */
  tokenLost: z.boolean(),
  /** A widened roster's snapshot being merged now: rows received of the snapshot's total. */
  rosterMerge: z.object({ done: z.number().int(), total: z.number().int() }).nullable(),
  /** Set once the same op heads STUCK_AFTER failed pushes in a row: the sync panel names it and says what to do. */
  stuck: stuckOpSchema.nullable(),
  /** The server was restored from a backup and this counter rebuilt its rows: the banner's facts, until dismissed. */
  restore: restoreNoticeSchema.nullable(),
  /** Sync stopped: the server's certificate is not the pinned one; the panel shows both fingerprints to compare. */
  certificateChanged: certificateChangeSchema.nullable(),
});
export type SyncStatusDto = z.infer<typeof syncStatusSchema>;

export const syncConflictsSchema = z.object({
  conflicts: z.array(conflictItemSchema),
  rejected: z.array(rejectedOpSchema),
  repaired: z.array(repairedOpSchema),
});
export type SyncConflictsDto = z.infer<typeof syncConflictsSchema>;

export const resolveConflictInputSchema = z.object({ id: z.number().int().positive() });

/** A rescue file the counter wrote: where, how many unsent ops, and whether every row could be read. */
export const rescueWrittenSchema = z.object({ path: z.string(), ops: z.number().int(), complete: z.boolean() });
export type RescueWrittenDto = z.infer<typeof rescueWrittenSchema>;

/** The largest rescue file the counter reads for upload (RESCUE_MAX_OPS ops with long notes). */
export const RESCUE_TEXT_MAX = 60 * 1024 * 1024;

/** Another counter's rescue file, as the operator picked it. */
export const uploadRescueInputSchema = z.object({
  fileName: z.string().max(260),
  content: z.string().max(RESCUE_TEXT_MAX, { error: '救援文件过大' }),
});

/** The server's summary of an uploaded rescue file, without the op-by-op results. */
export const rescueUploadedSchema = rescueUploadSchema.omit({ results: true });
export type RescueUploadedDto = z.infer<typeof rescueUploadedSchema>;

/**
 * The replica failed its integrity check at start: the counter serves nothing but this, with
 * the rescue file it wrote of the unsent ops it could still read (or why it could not).
 */
export const damagedReplicaSchema = z.object({
  path: z.string(),
  detail: z.string(),
  rescue: rescueWrittenSchema.nullable(),
  rescueError: z.string().nullable(),
});
export type DamagedReplicaDto = z.infer<typeof damagedReplicaSchema>;

/** First run, before a replica exists (served by the setup service); or a replica refused as damaged. */
export const setupStateSchema = z.object({
  needed: z.boolean(),
  /** Snapshot download in progress: rows done of total. */
  progress: z.object({ done: z.number().int(), total: z.number().int() }).nullable(),
  error: z.string().nullable(),
  damaged: damagedReplicaSchema.nullable(),
});
export type SetupStateDto = z.infer<typeof setupStateSchema>;

const text = (label: string, max: number) => textField(label, { max, required: true, trim: true });

/** A path on the counter's own disk to the campus CA certificate; blank when the fingerprint is compared instead. */
const caFile = z.string().max(1000, { error: 'CA 证书文件路径过长' }).optional();

export const setupProbeInputSchema = z.object({
  serverUrl: text('服务器地址', 200),
  caFile,
});

/**
 * What setup shows before any password leaves the counter: plain HTTP to this machine needs no
 * check; otherwise the certificate's SHA-256 fingerprint, to compare with what the admin reads
 * out, or the fact that the campus CA verified it.
 */
export const setupProbeSchema = z.object({
  serverUrl: z.string(),
  check: z.enum(['loopback', 'fingerprint', 'ca']),
  fingerprint: z.string().nullable(),
});
export type SetupProbeDto = z.infer<typeof setupProbeSchema>;

export const setupLoginInputSchema = z.object({
  serverUrl: text('服务器地址', 200),
  operatorNo: text('工号', 32),
  password: z.string().min(1, { error: '请填写密码' }).max(200, { error: '密码过长' }),
  /** The fingerprint the operator compared (check 'fingerprint'). */
  pin: z.string().max(200, { error: '证书指纹过长' }).optional(),
  caFile,
});

export const trustCertificateInputSchema = z.object({ fingerprint: z.string().min(1).max(200) });

export const setupLoginSchema = z.object({
  operator: z.object({ id: z.string(), name: z.string() }),
  batches: z.array(z.object({ id: z.string(), name: z.string() })),
  grants: z.array(z.object({ checkpointId: z.string(), colleges: z.union([z.literal('all'), z.array(z.string())]) })),
});

/** 换人登录 on a counter that already has its replica. */
export const signInInputSchema = setupLoginInputSchema.pick({ operatorNo: true, password: true });

export const setupStartInputSchema = setupLoginInputSchema.extend({
  counterName: text('柜台名称', 64),
  batchId: text('离校批次', 64),
  checkpointId: z.string().optional(),
  /** The one-time code from the administrator; registering needs it besides the password. */
  registrationCode: textField('柜台注册码', { max: 32, required: true, trim: true, requiredMessage: '请输入管理员给的柜台注册码' }).prefault(''),
});
