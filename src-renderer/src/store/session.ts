import { create } from 'zustand';
import type { Input, Session, SignInResult } from '../../../src-shared/contract/counter-api';
import type { BatchDef } from '../../../src-shared/domain/types';
import { call } from '../api/client';
import { messageOf } from './errors';

interface SessionState {
  session: Session | null;
  batch: BatchDef | null;
  loadError: string | null;
  /** The current operator signed in without the server (checked against this counter's record). */
  offlineSignIn: boolean;
  load(): Promise<void>;
  setCheckpoint(checkpointId: string): Promise<void>;
  /** 换人登录: on success the session is the new operator's; a refusal throws and changes nothing. */
  signIn(input: Input<'session.signIn'>): Promise<SignInResult>;
}

export const useSessionStore = create<SessionState>((set) => ({
  session: null,
  batch: null,
  loadError: null,
  offlineSignIn: false,
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
  signIn: async (input) => {
    const result = await call('session.signIn', input);
    set({ session: result.session, offlineSignIn: result.offline });
    return result;
  },
}));
