import { z } from 'zod';
import type { ConsoleRole, LeaderScope, RouteAccess } from '../domain/console-roles';
import { operatorNoField, textField } from './text-rule';

/**
 * The console API (campus console in the browser <-> central server): POST /console/api/<method>
 * with a JSON body, answered with JSON or an ErrorResponse (contract/sync.ts). The session is a
 * cookie set by session.signIn. Each method names its audience; the server refuses everyone
 * else (401 without a session, 403 with the wrong role). GET /console/api/events streams
 * `changed` events whenever the global seq moves, so screens re-read without reloading.
 */

export const CONSOLE_API_PREFIX = '/console/api/';
export const CONSOLE_EVENTS_PATH = '/console/api/events';
export const CONSOLE_SESSION_COOKIE = 'lxc_session';
export const MIN_PASSWORD_LENGTH = 8;

const password = z.string({ error: '密码必须是文字' }).min(1, { error: '请输入密码' }).max(200, { error: '密码过长' });
const newPassword = z
  .string({ error: '密码必须是文字' })
  .min(MIN_PASSWORD_LENGTH, { error: `新密码至少需要 ${MIN_PASSWORD_LENGTH} 位` })
  .max(200, { error: '密码过长' });
const batchId = textField('批次编号', { max: 64, required: true, requiredMessage: '请选择批次' });
const college = textField('学院', { max: 64, required: true });
const className = textField('班级', { max: 64, required: true });
const checkpointId = textField('离校点编号', { max: 64, required: true, requiredMessage: '请选择离校点' });
const none = z.object({}).strict();

export const signInInput = z.object({ operatorNo: operatorNoField, password }).strict();
export const changePasswordInput = z.object({ currentPassword: password, newPassword }).strict();

/** A drill-down: the whole scope, one college, or one class of it. */
export const progressInput = z
  .object({ batchId, college: college.optional(), className: className.optional() })
  .strict()
  .refine((v) => v.className === undefined || v.college !== undefined, { error: '查看班级时必须同时指定学院', path: ['college'] });

export const operatorSearchInput = z.object({ query: textField('搜索内容', { max: 64 }).optional() }).strict();
export const createOperatorInput = z
  .object({ operatorNo: operatorNoField, name: textField('姓名', { max: 32, required: true, trim: true }), password: newPassword })
  .strict()
  .refine((v) => /^[0-9A-Za-z_-]{1,32}$/.test(v.operatorNo), { error: '工号只能使用字母、数字、下划线和连字符，最多 32 位', path: ['operatorNo'] });
export const setDisabledInput = z.object({ operatorNo: operatorNoField, disabled: z.boolean({ error: '请指明停用还是启用' }) }).strict();
export const resetPasswordInput = z.object({ operatorNo: operatorNoField, password: newPassword }).strict();
export const grantInput = z
  .object({ operatorNo: operatorNoField, checkpointId, colleges: z.array(college).max(200, { error: '学院过多' }) })
  .strict();
export const revokeGrantInput = z.object({ operatorNo: operatorNoField, checkpointId }).strict();

/** Largest roster upload: 10 MB of .xlsx (a 50,000-row roster is about 3 MB), sent as base64. */
export const MAX_ROSTER_BYTES = 10 * 1024 * 1024;
const rosterContent = z
  .string({ error: '请选择花名册文件' })
  .min(1, { error: '请选择花名册文件' })
  .max(Math.ceil(MAX_ROSTER_BYTES / 3) * 4, { error: '文件过大（上限 10 MB），请分成几份上传' })
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: '文件内容编码有误，请重新选择文件' });
export const rosterTemplateInput = z.object({ batchId }).strict();
export const rosterFileInput = z.object({ batchId, fileName: textField('文件名', { max: 200, required: true }), content: rosterContent }).strict();
export const rosterApplyInput = rosterFileInput
  .extend({
    /** Import the good rows and list the bad ones (the CLI's --skip-invalid). */
    skipInvalid: z.boolean({ error: '请指明是否只导入正确的行' }),
    /** Confirmed by the admin: withdraw the batch's students the file lacks, for this reason. */
    withdrawMissingReason: textField('退出原因', { max: 100, required: true, trim: true }).optional(),
  })
  .strict();

/** Every console method: its input schema and who may call it. */
export const consoleRoutes = {
  'session.signIn': { access: 'public', input: signInInput },
  'session.get': { access: 'signedIn', input: none },
  'session.signOut': { access: 'signedIn', input: none },
  'session.changePassword': { access: 'signedIn', input: changePasswordInput },
  'progress.batches': { access: 'read', input: none },
  'progress.get': { access: 'read', input: progressInput },
  'operators.list': { access: 'admin', input: operatorSearchInput },
  'operators.create': { access: 'admin', input: createOperatorInput },
  'operators.setDisabled': { access: 'admin', input: setDisabledInput },
  'operators.resetPassword': { access: 'admin', input: resetPasswordInput },
  'operators.grant': { access: 'admin', input: grantInput },
  'operators.revokeGrant': { access: 'admin', input: revokeGrantInput },
  'roster.template': { access: 'admin', input: rosterTemplateInput },
  'roster.preview': { access: 'admin', input: rosterFileInput, bodyLimit: 16 * 1024 * 1024 },
  'roster.apply': { access: 'admin', input: rosterApplyInput, bodyLimit: 16 * 1024 * 1024 },
} as const satisfies Record<string, { access: RouteAccess; input: z.ZodType; bodyLimit?: number }>;

export type ConsoleMethod = keyof typeof consoleRoutes;
export type ConsoleInput<M extends ConsoleMethod> = z.input<(typeof consoleRoutes)[M]['input']>;
export type ConsoleParsedInput<M extends ConsoleMethod> = z.output<(typeof consoleRoutes)[M]['input']>;

export interface ConsoleAccount {
  operatorNo: string;
  name: string;
  role: ConsoleRole;
  /** For leaders; admins see the whole school. */
  scope: LeaderScope;
}

/** 应离校人数, how many finished by the batch's completion rule, how many not, and 往届 among them. */
export interface ProgressLine {
  total: number;
  completed: number;
  unfinished: number;
  previous: number;
}

export interface StepProgress {
  id: string;
  name: string;
  required: boolean;
  /** Students the step applies to. */
  applicable: number;
  passed: number;
  rejected: number;
  pending: number;
}

export interface CheckpointProgress {
  id: string;
  name: string;
  /** Students any of its steps applies to, and how many of them are through its required steps. */
  applicable: number;
  completed: number;
  steps: StepProgress[];
}

export interface GroupProgress {
  /** A college (level 'colleges') or a class (level 'classes'). */
  name: string;
  line: ProgressLine;
}

export interface UnfinishedStudent {
  studentNo: string;
  name: string;
  isPrevious: boolean;
  /** Steps still open under the completion rule, "离校点：环节" in definition order. */
  missing: string[];
}

export interface ProgressView {
  batch: { id: string; name: string };
  /** The global seq the figures were computed at; a later `changed` event means they moved. */
  seq: number;
  computedAt: string;
  college: string | null;
  className: string | null;
  line: ProgressLine;
  checkpoints: CheckpointProgress[];
  /** By college at the top, by class inside a college; empty for one class. */
  groups: { level: 'colleges' | 'classes'; rows: GroupProgress[] };
  /** One class: its unfinished students. */
  unfinished: UnfinishedStudent[];
}

export interface OperatorGrantView {
  checkpointId: string;
  checkpointName: string;
  colleges: 'all' | string[];
}

export interface OperatorView {
  operatorNo: string;
  name: string;
  disabled: boolean;
  role: ConsoleRole;
  grants: OperatorGrantView[];
  createdAt: string;
}

export interface CheckpointChoice {
  id: string;
  name: string;
  scope: 'school' | 'college';
}

export interface RosterPreview {
  fileName: string;
  /** Rows that would be imported. */
  valid: number;
  /** Header problems: nothing can be imported while there are any. */
  fileProblems: string[];
  /** "第 N 行：…", one line per bad row. */
  rowProblems: string[];
  added: number;
  updated: number;
  moved: { studentNo: string; name: string; from: string; to: string }[];
  /** Students of the batch the file lacks: listed, withdrawn only when confirmed. */
  missing: { studentNo: string; name: string; college: string }[];
}

export interface RosterApplied {
  students: number;
  moved: string[];
  withdrawn: string[];
  /** Bad rows left out ("第 N 行：…"), when only the good rows were imported. */
  skipped: string[];
  missing: number;
}

export interface ConsoleResults {
  'session.signIn': ConsoleAccount;
  'session.get': ConsoleAccount;
  'session.signOut': { ok: true };
  'session.changePassword': { ok: true };
  'progress.batches': { batches: { id: string; name: string }[] };
  'progress.get': ProgressView;
  'operators.list': { operators: OperatorView[]; checkpoints: CheckpointChoice[]; colleges: string[] };
  'operators.create': OperatorView;
  'operators.setDisabled': OperatorView;
  'operators.resetPassword': { ok: true };
  'operators.grant': OperatorView;
  'operators.revokeGrant': OperatorView;
  'roster.template': { fileName: string; content: string };
  'roster.preview': RosterPreview;
  'roster.apply': RosterApplied;
}
