import { create } from 'zustand';
import type { LockStateDto } from '../../../src-shared/contract/desk-api';
import { call } from '../api/client';

interface LockStore {
  /** Null until the back end answered: nothing about students is shown before. */
  current: LockStateDto | null;
  load(): Promise<LockStateDto>;
  lock(): Promise<void>;
  /** A wrong password throws with the back end's message; the counter stays locked. */
  unlock(password: string): Promise<void>;
  signOut(): Promise<void>;
}

export const useLockStore = create<LockStore>((set) => ({
  current: null,
  load: async () => {
    const current = await call('session.lockState', {});
    set({ current });
    return current;
  },
  lock: async () => set({ current: await call('session.lock', {}) }),
  unlock: async (password) => set({ current: await call('session.unlock', { password }) }),
  signOut: async () => set({ current: await call('session.signOut', {}) }),
}));

/** Whether the counter may show students and take scans now. */
export function counterOpen(): boolean {
  return useLockStore.getState().current?.state === 'open';
}
