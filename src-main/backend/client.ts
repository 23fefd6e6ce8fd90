import { Worker } from 'node:worker_threads';
import type { ApiResponse, ChangeEvent } from '../../src-shared/contract/counter-api';
import { fileIdKeyStore } from '../db/id-key-store';
import { fileTokenStore, type DeviceTokenStore, type ReplicaSecretStore } from '../sync/device-token-store';
import type { FromWorker, SecretName, ToWorker, WorkerInit } from './protocol';

export interface BackendWorker {
  call(method: string, input: unknown): Promise<ApiResponse<unknown>>;
  onChange(listener: (event: ChangeEvent) => void): () => void;
  close(): Promise<void>;
}

export interface BackendWorkerOptions {
  workerPath: string;
  dbPath: string;
  nativeBinding?: string;
  /** Keeps the device token for the worker; Electron passes its safeStorage store. A file next to the replica when omitted. */
  tokens?: DeviceTokenStore;
  /** Keeps the 身份证号 hash key for the worker, likewise. */
  idKeys?: ReplicaSecretStore;
}

/**
 * Starts the counter back end in a worker thread and resolves once its database is open, or
 * rejects with the worker's (Chinese) reason, so the app never starts half-way.
 */
export function startBackendWorker(opts: BackendWorkerOptions): Promise<BackendWorker> {
  const stores: Record<SecretName, ReplicaSecretStore> = { deviceToken: opts.tokens ?? fileTokenStore, idHashKey: opts.idKeys ?? fileIdKeyStore };
  const worker = new Worker(opts.workerPath, {
    workerData: {
      dbPath: opts.dbPath,
      nativeBinding: opts.nativeBinding,
      deviceToken: stores.deviceToken.read(opts.dbPath),
      idHashKey: stores.idHashKey.read(opts.dbPath),
    } satisfies WorkerInit,
  });
  const pending = new Map<number, (r: ApiResponse<unknown>) => void>();
  const listeners = new Set<(event: ChangeEvent) => void>();
  let nextId = 1;
  let closed: (() => void) | null = null;

  const post = (msg: ToWorker) => worker.postMessage(msg);
  const answerToken = (secret: SecretName, id: number, done: Promise<void>) =>
    done.then(
      () => post({ type: 'tokenStored', secret, id, error: null }),
      (e: unknown) => post({ type: 'tokenStored', secret, id, error: (e as Error).message }),
    );

  return new Promise((resolve, reject) => {
    worker.on('error', (err) => {
      reject(err);
      for (const done of pending.values()) done({ ok: false, error: { code: 'internal', message: `后台进程出错: ${err.message}` } });
      pending.clear();
    });
    worker.on('message', (msg: FromWorker) => {
      switch (msg.type) {
        case 'ready':
          resolve({
            call(method, input) {
              const id = nextId++;
              return new Promise((done) => {
                pending.set(id, done);
                post({ type: 'call', id, method, input });
              });
            },
            onChange(listener) {
              listeners.add(listener);
              return () => listeners.delete(listener);
            },
            close() {
              return new Promise<void>((done) => {
                closed = done;
                post({ type: 'close' });
              });
            },
          });
          break;
        case 'fatal':
          reject(new Error(msg.message));
          void worker.terminate();
          break;
        case 'result':
          pending.get(msg.id)?.(msg.response);
          pending.delete(msg.id);
          break;
        case 'change':
          for (const l of listeners) l(msg.event);
          break;
        case 'storeToken':
          void answerToken(msg.secret, msg.id, stores[msg.secret].write(msg.path, msg.token));
          break;
        case 'removeToken':
          void answerToken(msg.secret, msg.id, stores[msg.secret].remove(msg.path));
          break;
        case 'closed':
          void worker.terminate().then(() => closed?.());
          break;
      }
    });
  });
}
