import { create } from 'zustand';
import type { Stats } from '../../../src-shared/contract/counter-api';
import { call } from '../api/client';
import { messageOf } from './errors';

interface StatsState {
  stats: Stats | null;
  refreshing: boolean;
  error: string | null;
  refresh(): Promise<void>;
}

export const useStatsStore = create<StatsState>((set) => ({
  stats: null,
  refreshing: false,
  error: null,
  refresh: async () => {
    set({ refreshing: true });
    try {
      set({ stats: await call('stats.checkpoint', {}), error: null });
    } catch (e) {
      set({ error: messageOf(e) });
    } finally {
      set({ refreshing: false });
    }
  },
}));
