import type { ReplicaSecretStore } from '../sync/device-token-store';
import type { FromWorker, SecretName, ToWorker } from './protocol';

/**
 * The worker's side of a secret store (the device token, the 身份证号 hash key). The main thread
 * read the replica's secret before the worker started, and keeps new ones (after registration,
 * or moved out of an old replica): in Electron only the main process may encrypt with
 * safeStorage. A write counts once the main thread has answered, so a secret moved out of a
 * replica is stored before it is deleted there.
 */
export class RelayedTokenStore implements ReplicaSecretStore {
  private readonly tokens = new Map<string, string>();
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;

  constructor(
    replicaPath: string,
    token: string | null,
    private readonly send: (msg: FromWorker) => void,
    private readonly secret: SecretName = 'deviceToken',
  ) {
    if (token !== null) this.tokens.set(replicaPath, token);
  }

  read(replicaPath: string): string | null {
    return this.tokens.get(replicaPath) ?? null;
  }

  async write(replicaPath: string, token: string): Promise<void> {
    await this.ask((id) => ({ type: 'storeToken', secret: this.secret, id, path: replicaPath, token }));
    this.tokens.set(replicaPath, token);
  }

  async remove(replicaPath: string): Promise<void> {
    await this.ask((id) => ({ type: 'removeToken', secret: this.secret, id, path: replicaPath }));
    this.tokens.delete(replicaPath);
  }

  /** The main thread's answer to a write or remove. */
  settle(msg: Extract<ToWorker, { type: 'tokenStored' }>): void {
    const waiter = this.waiting.get(msg.id);
    this.waiting.delete(msg.id);
    if (msg.error === null) waiter?.resolve();
    else waiter?.reject(new Error(msg.error));
  }

  private ask(message: (id: number) => FromWorker): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.send(message(id));
    });
  }
}
