import { z } from 'zod';
import { STEP_STATUSES } from '../domain/types';
import { batchZhCN as t } from '../i18n/batch.zh-CN';
import { xlsxFileSchema } from './report-api';
import { noteField, stepIdField, studentNoField } from './text-rule';

/**
 * Schemas of the batch methods of the counter API: the class / dorm / college grid, the Excel
 * list import (导入名单) and the waiver desk (调整离校点限制 / 缓交). Imported by counter-api.ts.
 */

const studentNo = studentNoField;
const note = noteField.default('');
const refusalCode = z.string();
const missingGroup = z.object({
  checkpointId: z.string(),
  checkpointName: z.string(),
  steps: z.array(z.object({ id: z.string(), name: z.string() })),
});

export const BATCH_GROUPINGS = ['class', 'dorm', 'college'] as const;
export type BatchGrouping = (typeof BATCH_GROUPINGS)[number];

export const batchGridInputSchema = z.object({
  /** The student at the desk: the grid is their class, dorm room or college. */
  studentNo,
  by: z.enum(BATCH_GROUPINGS),
});

/** Why one step of one row cannot be checked; `null` in `cells` means it can. */
export const gridRefusalSchema = z.object({
  code: refusalCode,
  /** Chinese, short enough for a table cell. */
  message: z.string(),
  missing: z.array(missingGroup),
});
export type GridRefusal = z.infer<typeof gridRefusalSchema>;

export const batchGridSchema = z.object({
  by: z.enum(BATCH_GROUPINGS),
  /** "23机设1班", "1区-2栋-3层-0305" or "机电工程学院". */
  groupLabel: z.string(),
  checkpointId: z.string(),
  checkpointName: z.string(),
  /** Every step of the batch, in definition order: the grid's status columns. */
  columns: z.array(
    z.object({ id: z.string(), name: z.string(), checkpointName: z.string(), required: z.boolean(), own: z.boolean() }),
  ),
  /** The current checkpoint's manual steps: the ones a row can be checked for. */
  ownStepIds: z.array(z.string()),
  rows: z.array(
    z.object({
      studentNo: z.string(),
      name: z.string(),
      className: z.string(),
      dorm: z.string().nullable(),
      isPrevious: z.boolean(),
      /** Aligned with `columns`. */
      statuses: z.array(z.enum(STEP_STATUSES)),
      /** Aligned with `ownStepIds`. */
      cells: z.array(gridRefusalSchema.nullable()),
    }),
  ),
});
export type BatchGrid = z.infer<typeof batchGridSchema>;
export type BatchGridRow = BatchGrid['rows'][number];

export const BATCH_APPLY_MAX = 10_000;

export const batchApplyInputSchema = z.object({
  items: z
    .array(z.object({ studentNo, stepId: stepIdField }))
    .min(1, { error: t.errors.nothingChecked })
    .max(BATCH_APPLY_MAX, { error: t.errors.tooManyItems(BATCH_APPLY_MAX) }),
  note,
});

const outcomeStudent = z.object({ studentNo: z.string(), name: z.string(), stepId: z.string(), stepName: z.string() });

export const batchApplyResultSchema = z.object({
  passed: z.array(outcomeStudent),
  refused: z.array(outcomeStudent.extend({ message: z.string() })),
});
export type BatchApplyResult = z.infer<typeof batchApplyResultSchema>;

/** base64 of at most 20 MB of .xlsx: a 50,000-row list is well under that. */
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;

export const importInputSchema = z.object({
  fileName: z.string().max(260).default(''),
  base64: z
    .string()
    .min(1, { error: t.errors.noFile })
    .max(Math.ceil(IMPORT_MAX_BYTES / 3) * 4, { error: t.errors.fileTooLarge(IMPORT_MAX_BYTES / 1024 / 1024) }),
  stepId: z.string().min(1, { error: t.errors.stepRequired }),
  /** The operator's answer for rows whose 学号 Excel turned into a number that fits several students. */
  choices: z.record(z.string(), z.string()).default({}),
});

export const IMPORT_VERDICTS = [
  'ready',
  'invalid',
  'unknown',
  'ambiguous',
  'duplicate',
  'blocked',
  'not_applicable',
  'already_done',
  'out_of_scope',
] as const;
export type ImportVerdict = (typeof IMPORT_VERDICTS)[number];

export const importRowSchema = z.object({
  rowNumber: z.number(),
  /** The 学号 cell as Excel shows it. */
  raw: z.string(),
  /** The roster 学号 it resolves to, when it does. */
  studentNo: z.string().nullable(),
  name: z.string(),
  className: z.string(),
  action: z.enum(['pass', 'reject']),
  note: z.string(),
  verdict: z.enum(IMPORT_VERDICTS),
  /** Leading zeros put back, full-width digits made half-width: the row is still taken. */
  restored: z.boolean(),
  fullWidth: z.boolean(),
  candidates: z.array(z.object({ studentNo: z.string(), name: z.string(), className: z.string() })),
  /** Chinese: why the row is not taken, or what was corrected. */
  message: z.string(),
});
export type ImportRow = z.infer<typeof importRowSchema>;

export const importPreviewSchema = z.object({
  fileName: z.string(),
  sheetName: z.string(),
  stepId: z.string(),
  stepName: z.string(),
  total: z.number(),
  counts: z.record(z.enum(IMPORT_VERDICTS), z.number()),
  passCount: z.number(),
  rejectCount: z.number(),
  restoredCount: z.number(),
  fullWidthCount: z.number(),
  /** Rows that need attention first, then the ready ones, up to a display limit. */
  rows: z.array(importRowSchema),
  elapsedMs: z.number(),
});
export type ImportPreview = z.infer<typeof importPreviewSchema>;

export const importApplyResultSchema = z.object({
  passed: z.number(),
  rejected: z.number(),
  /** Rows not taken, at preview time or refused inside the transaction. */
  notTaken: z.number(),
  /** The rows not taken with the reason per row; null when every row was taken. */
  rejectedFile: xlsxFileSchema.nullable(),
  /** Every row judged again after the write. */
  preview: importPreviewSchema,
});
export type ImportApplyResult = z.infer<typeof importApplyResultSchema>;

export const waiverDeskInputSchema = z.object({ studentNo });

export const waiverRowSchema = z.object({
  checkpointId: z.string(),
  checkpointName: z.string(),
  checkpointDone: z.boolean(),
  stepId: z.string(),
  stepName: z.string(),
  status: z.enum(STEP_STATUSES),
  lifted: z.boolean(),
  updatedBy: z.string().nullable(),
  updatedAt: z.string().nullable(),
  note: z.string(),
  /** What the toggle would do now; `disabledReason` says why it cannot. */
  toggle: z.enum(['lift', 'impose']),
  disabledReason: z.string().nullable(),
});
export type WaiverRow = z.infer<typeof waiverRowSchema>;

export const waiverDeskSchema = z.object({
  student: z.object({
    studentNo: z.string(),
    name: z.string(),
    gender: z.string(),
    college: z.string(),
    major: z.string(),
    className: z.string(),
    isPrevious: z.boolean(),
  }),
  rows: z.array(waiverRowSchema),
  /** The gated steps of the batch and what still blocks them for this student, after waivers. */
  gated: z.array(z.object({ stepId: z.string(), stepName: z.string(), checkpointName: z.string(), missing: z.array(missingGroup) })),
});
export type WaiverDesk = z.infer<typeof waiverDeskSchema>;

export const waiverSetInputSchema = z.object({
  studentNo,
  stepId: stepIdField,
  lifted: z.boolean(),
  note,
});

export const liftedListInputSchema = z.object({
  limit: z.number().int().min(1).max(500).default(200),
  offset: z.number().int().min(0).default(0),
});

export const liftedListSchema = z.object({
  total: z.number(),
  rows: z.array(
    z.object({
      studentNo: z.string(),
      name: z.string(),
      className: z.string(),
      college: z.string(),
      stepId: z.string(),
      stepName: z.string(),
      checkpointName: z.string(),
      status: z.enum(STEP_STATUSES),
      by: z.string(),
      at: z.string(),
      note: z.string(),
    }),
  ),
});
export type LiftedList = z.infer<typeof liftedListSchema>;
