import { z } from 'zod';
import { reportZhCN as t } from '../i18n/report.zh-CN';
import { studentNoField } from './text-rule';

/**
 * The reports part of the counter API (离校点日报, 未完成名单, 离校单). Kept apart from
 * counter-api.ts, which only lists these methods, so the report shapes have one home.
 */

function isRealDate(text: string): boolean {
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const reportDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: t.errors.dateFormat })
  .refine(isRealDate, { error: t.errors.dateInvalid });

export const reportScopeInputSchema = z.object({
  /** Defaults to the checkpoint the counter works for now. */
  checkpointId: z.string().min(1).optional(),
  /** A college checkpoint's report for one of the operator's colleges; all they hold when absent. */
  college: z.string().min(1).optional(),
  /**
   * The day starts at midnight where the report is read. The renderer sends its own zone, so a
   * browser host on a server clock in UTC still cuts the day where the desk is.
   */
  timeZone: z.string().refine(isTimeZone, { error: t.errors.timeZone }).optional(),
});

export const dailyReportInputSchema = reportScopeInputSchema.extend({ date: reportDate.optional() });
export type DailyReportInput = z.input<typeof dailyReportInputSchema>;

export const reportHeaderSchema = z.object({
  university: z.string(),
  batch: z.object({ id: z.string(), name: z.string() }),
  checkpoint: z.object({ id: z.string(), name: z.string(), scope: z.enum(['school', 'college']) }),
  /** The colleges the report covers: 'all', or the operator's colleges (one when narrowed). */
  colleges: z.union([z.literal('all'), z.array(z.string())]),
  /** The report's day, YYYY-MM-DD in `timeZone`. */
  date: z.string(),
  timeZone: z.string(),
  generatedAt: z.string(),
  operator: z.object({ id: z.string(), name: z.string() }),
  deviceId: z.string(),
  /** Local changes the server has not acknowledged yet (outbox rows without acked_at). */
  unsyncedChanges: z.number(),
  /** The later of the last push and the last pull; null when this counter never synced. */
  lastSyncAt: z.string().nullable(),
});
export type ReportHeader = z.infer<typeof reportHeaderSchema>;

export const reportCountsSchema = z.object({
  /** 应办人数: students the step applies to. */
  total: z.number(),
  passedToday: z.number(),
  revokedToday: z.number(),
  rejectedToday: z.number(),
  /** 累计通过: passed now, whenever it happened. */
  passed: z.number(),
  /** 未完成: pending or rejected now. */
  unfinished: z.number(),
  /** passed / total; null when nobody has the step. */
  rate: z.number().nullable(),
});
export type ReportCounts = z.infer<typeof reportCountsSchema>;

export const reportStepLineSchema = z.object({
  id: z.string(),
  name: z.string(),
  required: z.boolean(),
  mode: z.enum(['manual', 'auto']),
  current: reportCountsSchema,
  /** 往届, apart from the year's graduates. */
  previous: reportCountsSchema,
});
export type ReportStepLine = z.infer<typeof reportStepLineSchema>;

export const classUnfinishedSchema = z.object({
  college: z.string(),
  className: z.string(),
  total: z.number(),
  unfinished: z.number(),
  previousTotal: z.number(),
  previousUnfinished: z.number(),
});
export type ClassUnfinished = z.infer<typeof classUnfinishedSchema>;

export const REPORT_ACTION_KINDS = ['pass', 'reject', 'revoke', 'lift', 'impose'] as const;

export const reportActionSchema = z.object({
  at: z.string(),
  studentNo: z.string(),
  name: z.string(),
  college: z.string(),
  className: z.string(),
  isPrevious: z.boolean(),
  stepId: z.string(),
  stepName: z.string(),
  kind: z.enum(REPORT_ACTION_KINDS),
  operatorId: z.string(),
  operatorName: z.string(),
  note: z.string(),
});
export type ReportAction = z.infer<typeof reportActionSchema>;

export const dailyReportSchema = z.object({
  header: reportHeaderSchema,
  /** The checkpoint as a whole, per student: the same numbers as stats.checkpoint. */
  checkpoint: z.object({
    total: z.number(),
    unfinished: z.number(),
    previousTotal: z.number(),
    previousUnfinished: z.number(),
  }),
  steps: z.array(reportStepLineSchema),
  /** Classes with someone unfinished at this checkpoint, by college then class. */
  unfinishedByClass: z.array(classUnfinishedSchema),
  /** Every action of the day on the checkpoint's steps, oldest first. */
  actions: z.array(reportActionSchema),
});
export type DailyReport = z.infer<typeof dailyReportSchema>;

export const chaseStepSchema = z.object({
  checkpointName: z.string(),
  stepName: z.string(),
  status: z.enum(['pending', 'rejected']),
  note: z.string(),
});
export type ChaseStep = z.infer<typeof chaseStepSchema>;

export const chaseStudentSchema = z.object({
  studentNo: z.string(),
  name: z.string(),
  gender: z.enum(['男', '女']),
  college: z.string(),
  className: z.string(),
  dorm: z.string().nullable(),
  idCardMasked: z.string(),
  isPrevious: z.boolean(),
  /** This checkpoint's counted steps still open. */
  here: z.array(chaseStepSchema),
  /** Counted steps still open at other checkpoints, in batch order. */
  elsewhere: z.array(chaseStepSchema),
});
export type ChaseStudent = z.infer<typeof chaseStudentSchema>;

/**
 * Narrows the 未完成名单 within its scope, on the back end: a college of the scope (also on a
 * school-wide checkpoint, where `college` of the scope is refused), and 班级 / 宿舍 by a part
 * of their name ("机设" finds 22机设1班, "3栋" every room of building 3).
 */
export const chaseFilterSchema = z.object({
  college: z.string().trim().min(1).max(100).optional(),
  className: z.string().trim().min(1).max(100).optional(),
  dorm: z.string().trim().min(1).max(100).optional(),
});
export type ChaseFilter = z.infer<typeof chaseFilterSchema>;

export const chaseInputSchema = reportScopeInputSchema.extend({ filter: chaseFilterSchema.optional() });
export type ChaseInput = z.input<typeof chaseInputSchema>;

export const chaseClassSchema = z.object({ college: z.string(), className: z.string() });
export type ChaseClass = z.infer<typeof chaseClassSchema>;

/** Most classes one page may ask for: about 2,700 students at the demo's class sizes. */
export const CHASE_PAGE_MAX_CLASSES = 100;

/**
 * What the 未完成名单 holds without its rows: enough to lay the whole list out (the class
 * blocks and their sizes) before any row is read, so the screen and the printout fetch the
 * rows class by class.
 */
export const chaseSummarySchema = z.object({
  header: reportHeaderSchema,
  /** Students unfinished at the checkpoint within the scope and the filter. */
  total: z.number(),
  /** By college, then class, as the rows come; only classes with someone unfinished. */
  classes: z.array(chaseClassSchema.extend({ students: z.number() })),
  /** Colleges of the scope with someone unfinished, whatever the filter: the 学院 choices. */
  colleges: z.array(z.string()),
});
export type ChaseSummary = z.infer<typeof chaseSummarySchema>;

export const chasePageInputSchema = chaseInputSchema.extend({
  /** Classes of the summary, usually consecutive ones: the page holds their unfinished students. */
  classes: z.array(chaseClassSchema).min(1).max(CHASE_PAGE_MAX_CLASSES),
});
export type ChasePageInput = z.input<typeof chasePageInputSchema>;

export const chasePageSchema = z.object({
  /** By college, class and 学号, the same order as the summary's classes. */
  students: z.array(chaseStudentSchema),
});
export type ChasePage = z.infer<typeof chasePageSchema>;

export const xlsxFileSchema = z.object({
  fileName: z.string(),
  /** The .xlsx bytes; the renderer turns them into a download. */
  base64: z.string(),
});
export type XlsxFile = z.infer<typeof xlsxFileSchema>;

export const slipInputSchema = z.object({
  studentNo: studentNoField,
});

export const slipStepSchema = z.object({
  name: z.string(),
  required: z.boolean(),
  status: z.enum(['pending', 'passed', 'rejected', 'na']),
  note: z.string(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});

export const slipSchema = z.object({
  university: z.string(),
  batch: z.object({ id: z.string(), name: z.string() }),
  student: z.object({
    studentNo: z.string(),
    name: z.string(),
    gender: z.enum(['男', '女']),
    college: z.string(),
    major: z.string(),
    className: z.string(),
    dorm: z.string().nullable(),
    idCardMasked: z.string(),
    isPrevious: z.boolean(),
  }),
  checkpoints: z.array(z.object({ name: z.string(), steps: z.array(slipStepSchema) })),
  complete: z.boolean(),
  generatedAt: z.string(),
  operator: z.object({ id: z.string(), name: z.string() }),
  deviceId: z.string(),
  /** What the QR code holds: JSON the counter's scanner reads as a 学号, plus the check code. */
  qrPayload: z.string(),
  verificationCode: z.string(),
});
export type Slip = z.infer<typeof slipSchema>;

export const verifySlipInputSchema = z.object({ text: z.string().max(2000) });

export const SLIP_VERDICTS = ['valid', 'malformed', 'other_batch', 'unknown_student', 'mismatch'] as const;

export const slipVerdictSchema = z.object({
  verdict: z.enum(SLIP_VERDICTS),
  studentNo: z.string().nullable(),
  student: z.object({ name: z.string(), college: z.string(), className: z.string() }).nullable(),
  /** Whether the student's clearance is complete now, which may differ from the printed slip. */
  completeNow: z.boolean().nullable(),
});
export type SlipVerdict = z.infer<typeof slipVerdictSchema>;
