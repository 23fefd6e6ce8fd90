import { create } from 'zustand';

export type FlashTone = 'success' | 'already' | 'blocked' | 'notFound' | 'error' | 'info';

export interface Flash {
  id: number;
  tone: FlashTone;
  text: string;
  /** After a few seconds the colour goes but the text stays, so the last outcome can still be read. */
  settled: boolean;
}

interface FlashState {
  flash: Flash | null;
  show(tone: FlashTone, text: string): void;
  settle(id: number): void;
}

let nextId = 1;

/** The status strip that answers every scan and submit. */
export const useFlashStore = create<FlashState>((set, get) => ({
  flash: null,
  show: (tone, text) => set({ flash: { id: nextId++, tone, text, settled: false } }),
  settle: (id) => {
    const flash = get().flash;
    if (flash?.id === id) set({ flash: { ...flash, settled: true } });
  },
}));
