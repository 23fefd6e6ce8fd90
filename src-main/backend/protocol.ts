import type { ApiResponse, ChangeEvent } from '../../src-shared/contract/counter-api';

/** Messages between the Electron main thread and the back-end worker thread. */
export interface WorkerInit {
  dbPath: string;
  nativeBinding?: string;
  /** The replica's device token, read by the main thread: only Electron's main process may use safeStorage. */
  deviceToken: string | null;
}

export type ToWorker =
  | { type: 'call'; id: number; method: string; input: unknown }
  | { type: 'close' }
  | { type: 'tokenStored'; id: number; error: string | null };

/** storeToken / removeToken: the main thread keeps the token (encrypted where the OS can), and answers tokenStored. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; response: ApiResponse<unknown> }
  | { type: 'change'; event: ChangeEvent }
  | { type: 'storeToken'; id: number; path: string; token: string }
  | { type: 'removeToken'; id: number; path: string }
  | { type: 'closed' };
