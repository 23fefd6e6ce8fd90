import { z } from 'zod';
import type { MissingGroup } from '../domain/gate';
import type { NoticeDef, StepStatus } from '../domain/types';
import { studentNoField } from './text-rule';

/**
 * The student API (the student page in a phone browser <-> central server): POST
 * /student/api/<method> with a JSON body, answered with JSON or an ErrorResponse (contract/sync.ts).
 * The session is a cookie set by session.signIn or session.reset and names one student of one
 * batch: every signed-in method answers about that student only, and takes no 学号. GET
 * /student/api/events streams `changed` whenever the global seq moves; GET /student/api/slip.pdf
 * is the 离校单 once the student has finished.
 */

export const STUDENT_API_PREFIX = '/student/api/';
export const STUDENT_EVENTS_PATH = '/student/api/events';
export const STUDENT_SLIP_PATH = '/student/api/slip.pdf';
export const STUDENT_SESSION_COOKIE = 'lxs_session';
export const STUDENT_MIN_PASSWORD_LENGTH = 8;

/** The last 6 of a 身份证号: five digits and a digit or X (a lower-case x is taken as X). */
export const idLast6Field = z
  .string({ error: '身份证号后6位必须是文字' })
  .trim()
  .transform((v) => v.toUpperCase())
  .pipe(z.string().regex(/^[0-9]{5}[0-9X]$/, { error: '身份证号后6位应为 6 位数字（最后一位可以是 X）' }));

const secret = z.string({ error: '密码必须是文字' }).min(1, { error: '请输入密码或身份证号后6位' }).max(200, { error: '密码过长' });
const newPassword = z
  .string({ error: '密码必须是文字' })
  .min(STUDENT_MIN_PASSWORD_LENGTH, { error: `新密码至少需要 ${STUDENT_MIN_PASSWORD_LENGTH} 位` })
  .max(200, { error: '密码过长' });
const none = z.object({}).strict();

/** `secret` is the student's password once they set one, before that the last 6 of their 身份证号. */
export const studentSignInInput = z.object({ studentNo: studentNoField, secret }).strict();
export const studentResetInput = z.object({ studentNo: studentNoField, idLast6: idLast6Field, newPassword }).strict();
export const studentSetPasswordInput = z.object({ newPassword }).strict();

export const studentRoutes = {
  'session.signIn': { access: 'public', input: studentSignInInput },
  'session.reset': { access: 'public', input: studentResetInput },
  'session.get': { access: 'signedIn', input: none },
  'session.signOut': { access: 'signedIn', input: none },
  'session.setPassword': { access: 'signedIn', input: studentSetPasswordInput },
  'status.get': { access: 'signedIn', input: none },
} as const satisfies Record<string, { access: 'public' | 'signedIn'; input: z.ZodType }>;

export type StudentMethod = keyof typeof studentRoutes;
export type StudentInput<M extends StudentMethod> = z.input<(typeof studentRoutes)[M]['input']>;
export type StudentParsedInput<M extends StudentMethod> = z.output<(typeof studentRoutes)[M]['input']>;

export interface StudentAccount {
  studentNo: string;
  name: string;
  batchName: string;
  /** False until the student sets a password: until then they sign in with the last 6 of their 身份证号. */
  hasPassword: boolean;
}

export interface StudentStep {
  id: string;
  name: string;
  required: boolean;
  /** auto: another campus system (library, finance) writes it; nothing to do at a window. */
  mode: 'manual' | 'auto';
  status: StepStatus;
  /** The operator's note; for 未通过 the reason. */
  note: string;
  updatedAt: string | null;
  /** A lifted restriction (缓交): this unfinished step no longer blocks later steps. */
  lifted: boolean;
  /** Unpassed prerequisites, grouped by checkpoint; empty when the step can be done now. */
  blockedBy: MissingGroup[];
}

export interface StudentCheckpoint {
  id: string;
  /** For college checkpoints, named for the student's college. */
  name: string;
  location: string | null;
  hours: string | null;
  phone: string | null;
  complete: boolean;
  steps: StudentStep[];
}

export interface StudentStatus {
  university: string;
  batch: { id: string; name: string; completionRule: 'required' | 'all' };
  student: {
    studentNo: string;
    name: string;
    college: string;
    major: string;
    className: string;
    /** Masked: never the whole number. */
    idCardMasked: string;
  };
  /** Set when the student was taken out of the batch (延期毕业, 结业, 退学). */
  withdrawnReason: string | null;
  complete: boolean;
  checkpoints: StudentCheckpoint[];
  notices: NoticeDef[];
  generatedAt: string;
}

export interface StudentResults {
  'session.signIn': StudentAccount;
  'session.reset': StudentAccount;
  'session.get': StudentAccount;
  'session.signOut': { ok: true };
  'session.setPassword': StudentAccount;
  'status.get': StudentStatus;
}
