import { create } from 'zustand';
import type { Session } from '../../../src-shared/contract/counter-api';
import type { BatchDef } from '../../../src-shared/domain/types';
import { call } from '../api/client';
import { messageOf } from './errors';

interface SessionState {
  session: Session | null;
  batch: BatchDef | null;
  loadError: string | null;
  load(): Promise<void>;
  setCheckpoint(checkpointId: string): Promise<void>;
}

export const useSessionStore = create<SessionState>((set) => ({
  session: null,
  batch: null,
  loadError: null,
  load: async () => {
    try {
      const [session, batch] = await Promise.all([call('session.get', {}), call('batch.get', {})]);
      set({ session, batch, loadError: null });
    } catch (e) {
      set({ loadError: messageOf(e) });
    }
  },
  setCheckpoint: async (checkpointId) => {
    const session = await call('session.setCheckpoint', { checkpointId });
    set({ session });
  },
}));
