import { create } from 'zustand';
import type { StepAction } from '../../../src-shared/domain/actions';

export interface ActivityEntry {
  id: number;
  at: Date;
  studentNo: string;
  name: string;
  stepName: string;
  action: StepAction;
  note: string;
}

/** Enough to find "the student before the last one" again; older entries are in the reports. */
const KEEP = 50;
let nextId = 1;

interface ActivityState {
  entries: ActivityEntry[];
  record(entry: Omit<ActivityEntry, 'id' | 'at'>): void;
}

/** What this desk did since it was opened, newest first. */
export const useActivityStore = create<ActivityState>((set) => ({
  entries: [],
  record: (entry) => set((s) => ({ entries: [{ ...entry, id: nextId++, at: new Date() }, ...s.entries].slice(0, KEEP) })),
}));
