import { create } from 'zustand';
import { DEFAULT_DESK_SETTINGS, type DeskSettings, type DeskStateDto } from '../../../src-shared/contract/desk-api';
import { call } from '../api/client';

interface DeskSettingsState {
  /** The defaults until the back end answered; the back end's copy (in the replica) is the truth. */
  settings: DeskSettings;
  server: DeskStateDto['server'];
  dialogOpen: boolean;
  /** The scanner fields as the open dialog has them, so that 试扫 tries them before they are saved. */
  scannerPreview: DeskSettings['scanner'] | null;
  load(): Promise<void>;
  /** Saves the whole record; a refusal throws with the back end's Chinese message and changes nothing. */
  save(settings: DeskSettings): Promise<void>;
  /** After a move of the server address. */
  apply(state: DeskStateDto): void;
  openDialog(): void;
  closeDialog(): void;
  previewScanner(scanner: DeskSettings['scanner'] | null): void;
}

/** The scanner settings in force: the dialog's while it is open, else the saved ones. */
export function activeScanner(state: Pick<DeskSettingsState, 'settings' | 'scannerPreview'>): DeskSettings['scanner'] {
  return state.scannerPreview ?? state.settings.scanner;
}

export const useDeskSettings = create<DeskSettingsState>((set) => ({
  settings: DEFAULT_DESK_SETTINGS,
  server: null,
  dialogOpen: false,
  scannerPreview: null,
  load: async () => {
    const state = await call('desk.settings', {});
    set({ settings: state.settings, server: state.server });
  },
  save: async (settings) => {
    const state = await call('desk.saveSettings', settings);
    set({ settings: state.settings, server: state.server });
  },
  apply: (state) => set({ settings: state.settings, server: state.server }),
  openDialog: () => set({ dialogOpen: true }),
  closeDialog: () => set({ dialogOpen: false, scannerPreview: null }),
  previewScanner: (scanner) => set({ scannerPreview: scanner }),
}));
