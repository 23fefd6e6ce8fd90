import { create } from 'zustand';
import type { BatchGrouping } from '../../../src-shared/contract/batch-api';

/** The desk's larger tools, one at a time, each in its own modal dialog. */
export type DeskPanel =
  | { kind: 'grid'; by: BatchGrouping; studentNo: string; stepIds: string[] }
  | { kind: 'import' }
  | { kind: 'waiver'; studentNo: string | null };

interface DeskState {
  panel: DeskPanel | null;
  open(panel: DeskPanel): void;
  close(): void;
}

export const useDeskStore = create<DeskState>((set) => ({
  panel: null,
  open: (panel) => set({ panel }),
  close: () => set({ panel: null }),
}));
