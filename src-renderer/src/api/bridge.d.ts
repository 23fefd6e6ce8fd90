import type { ApiResponse } from '../../../src-shared/contract/counter-api';

/** What the Electron preload exposes (src-main/electron/preload.ts); absent in a plain browser. */
export interface LixiaoBridge {
  call(method: string, input: unknown): Promise<ApiResponse<unknown>>;
  onChange(listener: (payload: unknown) => void): () => void;
  /** Electron only: prints the page shown to an A4 PDF and asks where to save it. */
  savePdf?(suggestedName: string): Promise<SavePdfResult>;
}

export type SavePdfResult = { saved: true; path: string } | { saved: false; error?: string };

declare global {
  interface Window {
    lixiaoBridge?: LixiaoBridge;
  }
}
