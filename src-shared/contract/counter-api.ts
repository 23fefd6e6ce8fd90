import { z } from 'zod';
import { STEP_STATUSES } from '../domain/types';
import { STEP_ACTIONS } from '../domain/actions';
import * as reports from './report-api';
import * as batches from './batch-api';
import * as sync from './sync-api';
import * as updates from './update-api';
import * as desk from './desk-api';
import { noteField, studentNoField, stepIdField, textField } from './text-rule';

/**
 * The counter API: every call the renderer makes to its back end, over Electron IPC or the
 * browser host. Inputs are validated by the back end with these schemas; outputs are typed.
 */

export const stepStatusSchema = z.enum(STEP_STATUSES);
export const stepActionSchema = z.enum(STEP_ACTIONS);

export const missingGroupSchema = z.object({
  checkpointId: z.string(),
  checkpointName: z.string(),
  steps: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type MissingGroupDto = z.infer<typeof missingGroupSchema>;

export const refusalSchema = z.discriminatedUnion('code', [
  z.object({ code: z.literal('out_of_scope') }),
  z.object({ code: z.literal('withdrawn'), reason: z.string() }),
  z.object({ code: z.literal('auto_step') }),
  z.object({ code: z.literal('not_applicable') }),
  z.object({ code: z.literal('already_passed') }),
  z.object({ code: z.literal('already_rejected') }),
  z.object({ code: z.literal('nothing_to_revoke') }),
  z.object({ code: z.literal('blocked'), missing: z.array(missingGroupSchema) }),
  z.object({ code: z.literal('reason_required') }),
]);

const note = noteField;
const studentNo = studentNoField;

export const checkpointRefSchema = z.object({
  id: z.string(),
  name: z.string(),
  scope: z.enum(['school', 'college']),
  colleges: z.union([z.literal('all'), z.array(z.string())]),
});

export const sessionSchema = z.object({
  deviceId: z.string(),
  operator: z.object({ id: z.string(), name: z.string() }),
  university: z.string(),
  batch: z.object({ id: z.string(), name: z.string(), completionRule: z.enum(['required', 'all']) }),
  checkpoints: z.array(checkpointRefSchema),
  checkpointId: z.string(),
});
export type Session = z.infer<typeof sessionSchema>;

/**
 * 换人登录 / 交接班. `offline`: the server could not be reached and the password was checked
 * against this counter's own record of an earlier sign-in; the grants are the ones of then.
 * `roster`: the operator widened the roster and the newly visible students were merged, or the
 * merge waits for the server (`rosterError` says why; sync retries it).
 */
export const signInResultSchema = z.object({
  session: sessionSchema,
  offline: z.boolean(),
  roster: z.enum(['unchanged', 'merged', 'pending']),
  rosterError: z.string().nullable(),
});
export type SignInResult = z.infer<typeof signInResultSchema>;

export const studentSchema = z.object({
  studentNo: z.string(),
  name: z.string(),
  gender: z.enum(['男', '女']),
  college: z.string(),
  major: z.string(),
  className: z.string(),
  dorm: z.string().nullable(),
  idCardMasked: z.string(),
  isPrevious: z.boolean(),
  flags: z.record(z.string(), z.boolean()),
});
export type StudentDto = z.infer<typeof studentSchema>;

export const studentSummarySchema = studentSchema.omit({ flags: true }).extend({
  /** All of the current checkpoint's required applicable steps passed. */
  currentDone: z.boolean(),
  /** Nothing gates the current checkpoint's steps any more. */
  prereqDone: z.boolean(),
});
export type StudentSummary = z.infer<typeof studentSummarySchema>;

export const recordStepSchema = z.object({
  id: z.string(),
  name: z.string(),
  required: z.boolean(),
  mode: z.enum(['manual', 'auto']),
  status: stepStatusSchema,
  note: z.string(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
  lifted: z.boolean(),
});
export type RecordStep = z.infer<typeof recordStepSchema>;

export const studentDetailSchema = z.object({
  student: studentSchema,
  /** 离校记录: every checkpoint and step, in batch-definition order. */
  record: z.array(z.object({ checkpointId: z.string(), name: z.string(), steps: z.array(recordStepSchema) })),
  /** 离校操作: the current checkpoint's steps and what may be done to each now. */
  actions: z.array(
    recordStepSchema.extend({
      pass: refusalSchema.nullable(),
      reject: refusalSchema.nullable(),
      revoke: refusalSchema.nullable(),
    }),
  ),
  /** Everything still missing before this checkpoint can act, merged over its steps. */
  missing: z.array(missingGroupSchema),
  inScope: z.boolean(),
  /** Not 'own': the card says where the student went and offers nothing to do. */
  standing: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('own') }),
    z.object({ kind: z.literal('moved'), college: z.string() }),
    z.object({ kind: z.literal('withdrawn'), reason: z.string() }),
  ]),
  complete: z.boolean(),
});
export type StudentDetail = z.infer<typeof studentDetailSchema>;

export const completionFilter = z.enum(['all', 'done', 'notDone']);

export const searchInputSchema = z.object({
  studentNo: textField('学号', { max: 32, trim: true }).optional(),
  name: textField('姓名', { max: 40, trim: true }).optional(),
  idCard: textField('身份证号', { max: 18, trim: true }).optional(),
  college: textField('学院', { max: 64 }).optional(),
  className: textField('班级', { max: 64 }).optional(),
  dorm: textField('宿舍', { max: 64 }).optional(),
  isPrevious: z.boolean().optional(),
  /** 前提条件完成情况 */
  prereq: completionFilter.default('all'),
  /** 当前节点完成情况 */
  current: completionFilter.default('all'),
  limit: z.number().int().min(1).max(500).default(100),
  offset: z.number().int().min(0).default(0),
});
export type SearchInput = z.input<typeof searchInputSchema>;

export const scanResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('studentNo'), value: z.string() }),
  z.object({ kind: z.literal('idCard'), value: z.string() }),
  z.object({ kind: z.literal('idLast6'), value: z.string() }),
  z.object({ kind: z.literal('name'), value: z.string() }),
  z.object({ kind: z.literal('invalid'), reason: z.enum(['empty', 'id_checksum', 'unrecognised']), raw: z.string() }),
]);

export const stepApplySchema = z.object({
  studentNo,
  stepId: stepIdField,
  action: stepActionSchema,
  note: note.default(''),
});

export const statsLineSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** 应离校人数: students to whom it applies (current year). */
  total: z.number(),
  unfinished: z.number(),
  /** 往届 counted separately. */
  previousTotal: z.number(),
  previousUnfinished: z.number(),
});
export type StatsLine = z.infer<typeof statsLineSchema>;

export const statsSchema = z.object({
  school: z.object({ total: z.number(), unfinished: z.number() }),
  checkpoint: statsLineSchema,
  steps: z.array(statsLineSchema),
  computedAt: z.string(),
});
export type Stats = z.infer<typeof statsSchema>;

const empty = z.object({}).strict();

export const counterApi = {
  'session.get': { input: empty, output: sessionSchema },
  'session.setCheckpoint': { input: z.object({ checkpointId: textField('离校点', { max: 64, required: true }) }), output: sessionSchema },
  'session.signIn': { input: sync.signInInputSchema, output: signInResultSchema },
  /** The batch definition, for rendering; validated when it was loaded. */
  'batch.get': { input: empty, output: z.custom<import('../domain/types').BatchDef>() },
  'students.lookup': {
    input: z.object({ text: textField('扫描内容', { max: 2000 }) }),
    output: z.object({ scan: scanResultSchema, students: z.array(studentSummarySchema) }),
  },
  'students.search': {
    input: searchInputSchema,
    output: z.object({ total: z.number(), rows: z.array(studentSummarySchema) }),
  },
  'students.detail': { input: z.object({ studentNo }), output: studentDetailSchema },
  'steps.apply': { input: stepApplySchema, output: studentDetailSchema },
  'stats.checkpoint': { input: empty, output: statsSchema },
  'reports.daily': { input: reports.dailyReportInputSchema, output: reports.dailyReportSchema },
  'reports.chaseSummary': { input: reports.chaseInputSchema, output: reports.chaseSummarySchema },
  'reports.chasePage': { input: reports.chasePageInputSchema, output: reports.chasePageSchema },
  'reports.dailyXlsx': { input: reports.dailyReportInputSchema, output: reports.xlsxFileSchema },
  'reports.chaseXlsx': { input: reports.chaseInputSchema, output: reports.xlsxFileSchema },
  'reports.slip': { input: reports.slipInputSchema, output: reports.slipSchema },
  'reports.verifySlip': { input: reports.verifySlipInputSchema, output: reports.slipVerdictSchema },
  'batch.grid': { input: batches.batchGridInputSchema, output: batches.batchGridSchema },
  'batch.apply': { input: batches.batchApplyInputSchema, output: batches.batchApplyResultSchema },
  'listImport.template': { input: empty, output: reports.xlsxFileSchema },
  'listImport.preview': { input: batches.importInputSchema, output: batches.importPreviewSchema },
  'listImport.apply': { input: batches.importInputSchema, output: batches.importApplyResultSchema },
  'waivers.forStudent': { input: batches.waiverDeskInputSchema, output: batches.waiverDeskSchema },
  'waivers.set': { input: batches.waiverSetInputSchema, output: batches.waiverDeskSchema },
  'waivers.lifted': { input: batches.liftedListInputSchema, output: batches.liftedListSchema },
  'sync.status': { input: empty, output: sync.syncStatusSchema },
  'sync.conflicts': { input: empty, output: sync.syncConflictsSchema },
  'sync.resolveConflict': { input: sync.resolveConflictInputSchema, output: sync.syncConflictsSchema },
  'sync.dismissRestore': { input: sync.dismissRestoreInputSchema, output: sync.syncStatusSchema },
  'setup.state': { input: empty, output: sync.setupStateSchema },
  'sync.trustCertificate': { input: sync.trustCertificateInputSchema, output: sync.syncStatusSchema },
  'sync.writeRescue': { input: empty, output: sync.rescueWrittenSchema },
  'sync.uploadRescue': { input: sync.uploadRescueInputSchema, output: sync.rescueUploadedSchema },
  'setup.probe': { input: sync.setupProbeInputSchema, output: sync.setupProbeSchema },
  'setup.login': { input: sync.setupLoginInputSchema, output: sync.setupLoginSchema },
  'setup.start': { input: sync.setupStartInputSchema, output: sync.setupStateSchema },
  'desk.settings': { input: empty, output: desk.deskStateSchema },
  'desk.saveSettings': { input: desk.deskSettingsSchema, output: desk.deskStateSchema },
  'desk.probeServer': { input: sync.setupProbeInputSchema, output: sync.setupProbeSchema },
  'desk.moveServer': { input: desk.moveServerInputSchema, output: desk.deskStateSchema },
  'session.lockState': { input: empty, output: desk.lockStateSchema },
  'session.lock': { input: empty, output: desk.lockStateSchema },
  'session.unlock': { input: desk.unlockInputSchema, output: desk.lockStateSchema },
  'session.signOut': { input: empty, output: desk.lockStateSchema },
  'update.status': { input: empty, output: updates.updateStatusSchema },
  'update.install': { input: empty, output: updates.updateInstallSchema },
  'update.feed': { input: empty, output: updates.updateFeedSchema },
} as const;

export type CounterApiSpec = typeof counterApi;
export type Method = keyof CounterApiSpec;
export type Input<M extends Method> = z.input<CounterApiSpec[M]['input']>;
export type Output<M extends Method> = z.output<CounterApiSpec[M]['output']>;

/** Pushed to the renderer whenever step states change, locally or by sync; it re-reads. */
export const changeEventSchema = z.object({
  type: z.literal('changed'),
  studentNos: z.array(z.string()),
  source: z.enum(['local', 'sync']),
});
export type ChangeEvent = z.infer<typeof changeEventSchema>;

/** Error codes with a Chinese message (src-shared/i18n) for the operator. */
export const API_ERROR_CODES = [
  'bad_input',
  'not_found',
  'refused',
  'forbidden',
  'unauthorized',
  'internal',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type ApiResponse<T> = { ok: true; value: T } | { ok: false; error: { code: ApiErrorCode; message: string } };

/** What both transports implement for the renderer. */
export interface CounterTransport {
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>;
  subscribe(listener: (event: ChangeEvent) => void): () => void;
}
