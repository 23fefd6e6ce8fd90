import { create } from 'zustand';
import type { StepAction } from '../../../src-shared/domain/actions';

export interface ActivityEntry {
  id: number;
  at: Date;
  studentNo: string;
  name: string;
  stepId: string;
  stepName: string;
  action: StepAction;
  note: string;
  /** Reverted through 撤销 (a revoke with a note); the revoke is an entry of its own. */
  undone: boolean;
}

/** Enough to find "the student before the last one" again; older entries are in the reports. */
const KEEP = 50;
let nextId = 1;

interface ActivityState {
  entries: ActivityEntry[];
  /** Returns the new entry's id, by which an undo finds it again. */
  record(entry: Omit<ActivityEntry, 'id' | 'at' | 'undone'>): number;
  markUndone(id: number): void;
}

/** What this desk did since it was opened, newest first. */
export const useActivityStore = create<ActivityState>((set) => ({
  entries: [],
  record: (entry) => {
    const id = nextId++;
    set((s) => ({ entries: [{ ...entry, id, at: new Date(), undone: false }, ...s.entries].slice(0, KEEP) }));
    return id;
  },
  markUndone: (id) => set((s) => ({ entries: s.entries.map((e) => (e.id === id ? { ...e, undone: true } : e)) })),
}));
