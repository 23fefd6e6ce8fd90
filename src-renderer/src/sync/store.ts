import { create } from 'zustand';
import type { SyncConflictsDto, SyncStatusDto } from '../../../src-shared/contract/sync-api';
import { call } from '../api/client';
import { messageOf } from '../store/errors';

/** The status changes without change events (a failed push, time passing): it is polled. */
export const STATUS_POLL_MS = 2000;

interface SyncState {
  status: SyncStatusDto | null;
  conflicts: SyncConflictsDto | null;
  panelOpen: boolean;
  error: string | null;
  refreshStatus(): Promise<void>;
  openPanel(): Promise<void>;
  closePanel(): void;
  refreshConflicts(): Promise<void>;
  resolve(id: number): Promise<void>;
  /** Pins the certificate the server now presents, after the operator compared its fingerprint with the admin's. */
  trustCertificate(fingerprint: string): Promise<void>;
}

export const useSyncStore = create<SyncState>((set, get) => ({
  status: null,
  conflicts: null,
  panelOpen: false,
  error: null,
  refreshStatus: async () => {
    try {
      set({ status: await call('sync.status', {}) });
    } catch (e) {
      set({ error: messageOf(e) });
    }
  },
  openPanel: async () => {
    set({ panelOpen: true });
    await get().refreshConflicts();
  },
  closePanel: () => set({ panelOpen: false }),
  resolve: async (id) => {
    try {
      set({ conflicts: await call('sync.resolveConflict', { id }), error: null });
    } catch (e) {
      set({ error: messageOf(e) });
    }
  },
  trustCertificate: async (fingerprint) => {
    try {
      set({ status: await call('sync.trustCertificate', { fingerprint }), error: null });
    } catch (e) {
      set({ error: messageOf(e) });
    }
  },
  refreshConflicts: async () => {
    try {
      set({ conflicts: await call('sync.conflicts', {}), error: null });
    } catch (e) {
      set({ error: messageOf(e) });
    }
  },
}));
