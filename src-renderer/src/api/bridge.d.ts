import type { ApiResponse } from '../../../src-shared/contract/counter-api';

/** What the Electron preload exposes (src-main/electron/preload.ts); absent in a plain browser. */
export interface LixiaoBridge {
  call(method: string, input: unknown): Promise<ApiResponse<unknown>>;
  onChange(listener: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    lixiaoBridge?: LixiaoBridge;
  }
}
