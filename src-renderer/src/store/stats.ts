import { create } from 'zustand';
import type { Stats } from '../../../src-shared/contract/counter-api';
import { call } from '../api/client';
import { messageOf } from './errors';

const COLLAPSED_KEY = 'lixiao.statsCollapsed';

interface StatsState {
  stats: Stats | null;
  /** 隐藏统计区, as the old system offered: a small screen needs the room for results. */
  collapsed: boolean;
  toggleCollapsed(): void;
  refreshing: boolean;
  error: string | null;
  refresh(): Promise<void>;
}

export const useStatsStore = create<StatsState>((set) => ({
  stats: null,
  collapsed: localStorage.getItem(COLLAPSED_KEY) === '1',
  toggleCollapsed: () =>
    set((s) => {
      localStorage.setItem(COLLAPSED_KEY, s.collapsed ? '0' : '1');
      return { collapsed: !s.collapsed };
    }),
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
