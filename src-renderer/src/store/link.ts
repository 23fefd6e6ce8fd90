import { create } from 'zustand';

/** Whether live updates arrive; while they do not, what the screen shows may be stale. */
export const useLinkStore = create<{ live: boolean; setLive(live: boolean): void }>((set) => ({
  live: true,
  setLive: (live) => set({ live }),
}));
