import type { ApiResponse, ChangeEvent } from '../../../src-shared/contract/counter-api';

/** What the Electron preload exposes (src-main/electron/preload.ts); absent in a plain browser. */
export interface LixiaoBridge {
  call(method: string, input: unknown): Promise<ApiResponse<unknown>>;
  onChange(listener: (event: ChangeEvent) => void): () => void;
}

declare global {
  interface Window {
    lixiaoBridge?: LixiaoBridge;
  }
}
