import type { ApiResponse, ChangeEvent } from '../../src-shared/contract/counter-api';

/** Messages between the Electron main thread and the back-end worker thread. */
export interface WorkerInit {
  dbPath: string;
  nativeBinding?: string;
  /** The replica's device token, read by the main thread: only Electron's main process may use safeStorage. */
  deviceToken: string | null;
  /** The key behind the replica's 身份证号 hashes, read the same way. */
  idHashKey: string | null;
}

/** The replica's secrets the main thread keeps for the worker. */
export type SecretName = 'deviceToken' | 'idHashKey';

export type ToWorker =
  | { type: 'call'; id: number; method: string; input: unknown }
  | { type: 'close' }
  | { type: 'tokenStored'; secret: SecretName; id: number; error: string | null };

/** storeToken / removeToken: the main thread keeps the secret (encrypted where the OS can), and answers tokenStored. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; response: ApiResponse<unknown> }
  | { type: 'change'; event: ChangeEvent }
  | { type: 'storeToken'; secret: SecretName; id: number; path: string; token: string }
  | { type: 'removeToken'; secret: SecretName; id: number; path: string }
  | { type: 'closed' };
