import { create } from 'zustand';
import type { StudentDetail, StudentSummary } from '../../../src-shared/contract/counter-api';
import type { StepAction } from '../../../src-shared/domain/actions';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { call } from '../api/client';
import { useActivityStore } from './activity';
import { messageOf } from './errors';
import { notify } from '../feedback/notify';

export type StepActionRow = StudentDetail['actions'][number];

interface StepDraft {
  checked: boolean;
  note: string;
}

/** Reject and revoke ask for a reason in a small prompt inside the step's row. */
export interface ReasonPrompt {
  stepId: string;
  action: Exclude<StepAction, 'pass'>;
}

interface StudentState {
  detail: StudentDetail | null;
  /** Several students matched a scan (e.g. last 6 of an ID, a common name): the operator picks. */
  candidates: StudentSummary[] | null;
  loading: boolean;
  error: string | null;
  drafts: Record<string, StepDraft>;
  prompt: ReasonPrompt | null;
  busy: boolean;
  open(studentNo: string): Promise<StudentDetail | null>;
  reload(): Promise<void>;
  showCandidates(students: StudentSummary[]): void;
  clear(): void;
  toggle(stepId: string): void;
  setNote(stepId: string, note: string): void;
  checkAllPassable(): void;
  askReason(prompt: ReasonPrompt | null): void;
  apply(stepId: string, action: StepAction, note: string): Promise<boolean>;
  submitChecked(): Promise<void>;
}

export function canPass(row: StepActionRow): boolean {
  return row.pass === null;
}

function draftsFor(detail: StudentDetail, previous: Record<string, StepDraft> = {}): Record<string, StepDraft> {
  const drafts: Record<string, StepDraft> = {};
  for (const row of detail.actions) {
    const kept = previous[row.id];
    drafts[row.id] = { checked: canPass(row) && (kept?.checked ?? false), note: kept?.note ?? '' };
  }
  return drafts;
}

let openGeneration = 0;

function recordActivity(detail: StudentDetail, stepId: string, stepName: string, action: StepAction, note: string): void {
  const { studentNo, name } = detail.student;
  useActivityStore.getState().record({ studentNo, name, stepId, stepName, action, note });
}

export const useStudentStore = create<StudentState>((set, get) => ({
  detail: null,
  candidates: null,
  loading: false,
  error: null,
  drafts: {},
  prompt: null,
  busy: false,

  open: async (studentNo) => {
    const gen = ++openGeneration;
    set({ loading: true, error: null, candidates: null });
    try {
      const detail = await call('students.detail', { studentNo });
      if (gen !== openGeneration) return null;
      set({ detail, drafts: draftsFor(detail), prompt: null });
      return detail;
    } catch (e) {
      if (gen === openGeneration) set({ error: messageOf(e) });
      return null;
    } finally {
      if (gen === openGeneration) set({ loading: false });
    }
  },

  reload: async () => {
    const current = get().detail;
    if (!current) return;
    const gen = openGeneration;
    try {
      const detail = await call('students.detail', { studentNo: current.student.studentNo });
      if (gen !== openGeneration) return;
      set((s) => ({ detail, drafts: draftsFor(detail, s.drafts) }));
    } catch (e) {
      if (gen === openGeneration) set({ error: messageOf(e) });
    }
  },

  showCandidates: (students) => {
    openGeneration++;
    set({ candidates: students, detail: null, error: null, loading: false, prompt: null });
  },

  clear: () => {
    openGeneration++;
    set({ detail: null, candidates: null, error: null, loading: false, drafts: {}, prompt: null });
  },

  toggle: (stepId) =>
    set((s) => {
      const draft = s.drafts[stepId];
      if (!draft) return s;
      return { drafts: { ...s.drafts, [stepId]: { ...draft, checked: !draft.checked } } };
    }),

  setNote: (stepId, note) =>
    set((s) => ({ drafts: { ...s.drafts, [stepId]: { checked: s.drafts[stepId]?.checked ?? false, note } } })),

  checkAllPassable: () =>
    set((s) => {
      if (!s.detail) return s;
      const drafts = { ...s.drafts };
      for (const row of s.detail.actions) {
        if (canPass(row)) drafts[row.id] = { note: drafts[row.id]?.note ?? '', checked: true };
      }
      return { drafts };
    }),

  askReason: (prompt) => set({ prompt }),

  apply: async (stepId, action, note) => {
    const detail = get().detail;
    if (!detail || get().busy) return false;
    set({ busy: true });
    try {
      const next = await call('steps.apply', { studentNo: detail.student.studentNo, stepId, action, note });
      set((s) => ({ detail: next, drafts: draftsFor(next, { ...s.drafts, [stepId]: { checked: false, note: '' } }), prompt: null }));
      const stepName = next.actions.find((a) => a.id === stepId)?.name ?? stepId;
      recordActivity(next, stepId, stepName, action, note);
      // A deliberate 未通过 or 撤销 needs no cheer; only a pass gets the success chirp.
      notify(action === 'pass' ? 'success' : 'info', zhCN.ui.ops.applied[action](stepName));
      return true;
    } catch (e) {
      notify('error', messageOf(e));
      return false;
    } finally {
      set({ busy: false });
    }
  },

  /** 提交: the checked steps one by one, stopping at the first refusal so nothing is half-understood. */
  submitChecked: async () => {
    const { detail, drafts, busy } = get();
    if (!detail || busy) return;
    const checked = detail.actions.filter((row) => drafts[row.id]?.checked && canPass(row));
    if (checked.length === 0) {
      notify('info', zhCN.ui.ops.nothingChecked);
      return;
    }
    set({ busy: true });
    let done = 0;
    try {
      for (const row of checked) {
        const note = get().drafts[row.id]?.note ?? '';
        const next = await call('steps.apply', { studentNo: detail.student.studentNo, stepId: row.id, action: 'pass', note });
        done++;
        recordActivity(next, row.id, row.name, 'pass', note);
        set((s) => ({ detail: next, drafts: draftsFor(next, { ...s.drafts, [row.id]: { checked: false, note: '' } }) }));
      }
      notify('success', zhCN.ui.ops.submitted(done));
    } catch (e) {
      notify('error', done > 0 ? zhCN.ui.ops.partlySubmitted(done, messageOf(e)) : messageOf(e));
    } finally {
      set({ busy: false });
    }
  },
}));
