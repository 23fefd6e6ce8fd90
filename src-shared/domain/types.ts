/** Status of one (student, step). `na` = 无需办理: the step does not apply to this student. */
export const STEP_STATUSES = ['pending', 'passed', 'rejected', 'na'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** 办结必办: all required applicable steps; 办结全部: every applicable step, optional included. */
export type CompletionRule = 'required' | 'all';

export type CheckpointScope = 'school' | 'college';

export type Applicability = 'all' | { flag: string };

/**
 * A gate lists the steps that must be passed first, or `allOtherRequired`: every required
 * applicable step of the other checkpoints except those that are themselves gated the same way
 * (the certificate desks would otherwise wait on each other forever).
 */
export type Gate = { requires: string[] } | { requires: 'allOtherRequired' };

export interface StepDef {
  id: string;
  name: string;
  required: boolean;
  /** auto steps are written by another campus system (library, finance), not at the counter. */
  mode: 'manual' | 'auto';
  appliesTo: Applicability;
  gate?: Gate;
}

export interface CheckpointDef {
  id: string;
  name: string;
  /** For college checkpoints: how to name it for one student, e.g. "{college}离校点". */
  nameTemplate?: string;
  scope: CheckpointScope;
  /** Where students go, when it is open and whom to call: shown on the student page, absent when nobody entered them. */
  location?: string;
  hours?: string;
  phone?: string;
  steps: StepDef[];
}

/** 通知公告 of a batch, shown to its students; the batch definition is its only source. */
export interface NoticeDef {
  title: string;
  body: string;
  /** As the office wrote it, e.g. "2027-06-18". */
  date?: string;
}

export interface FlagDef {
  key: string;
  label: string;
}

export interface BatchDef {
  formatVersion: 1;
  id: string;
  name: string;
  university: string;
  completionRule: CompletionRule;
  flags: FlagDef[];
  checkpoints: CheckpointDef[];
  notices?: NoticeDef[];
}

export interface Student {
  studentNo: string;
  name: string;
  gender: '男' | '女';
  college: string;
  major: string;
  className: string;
  dorm: string | null;
  /** Masked 身份证号 for display; the full number is never kept in clear. */
  idCardMasked: string;
  isPrevious: boolean;
  flags: Record<string, boolean>;
}

export interface StepState {
  stepId: string;
  status: StepStatus;
  note: string;
  updatedAt: string | null;
  updatedBy: string | null;
  version: number;
}

/** A lifted restriction (调整离校点限制 / 缓交): this step stops blocking later steps for one student. */
export interface Waiver {
  stepId: string;
  lifted: boolean;
}

/** One roster row as imported: the full 身份证号 is present only here, on its way to a keyed hash. */
export interface RosterStudent extends Omit<Student, 'idCardMasked'> {
  idCard: string;
}

/** A step state that comes with the roster (e.g. what the library and finance feeds already passed). */
export interface InitialState {
  studentNo: string;
  stepId: string;
  status: Exclude<StepStatus, 'na'>;
  note?: string;
}
