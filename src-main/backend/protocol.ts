import type { ApiResponse, ChangeEvent } from '../../src-shared/contract/counter-api';

/** Messages between the Electron main thread and the back-end worker thread. */
export interface WorkerInit {
  dbPath: string;
  nativeBinding?: string;
}

export type ToWorker = { type: 'call'; id: number; method: string; input: unknown } | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; response: ApiResponse<unknown> }
  | { type: 'change'; event: ChangeEvent }
  | { type: 'closed' };
