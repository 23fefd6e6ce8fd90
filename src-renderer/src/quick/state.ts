import { create } from 'zustand';
import { initialQuickState, quickReducer, type QuickEvent, type QuickState } from './model';

interface QuickStore extends QuickState {
  dispatch(event: QuickEvent): void;
}

export const useQuickStore = create<QuickStore>((set) => ({
  ...initialQuickState,
  dispatch: (event) => set((s) => quickReducer(s, event)),
}));
