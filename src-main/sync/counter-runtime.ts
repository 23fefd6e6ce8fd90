import { existsSync } from 'node:fs';
import { makePrivateDir } from '../files/private-files';
import { dirname } from 'node:path';
import { z } from 'zod';
import { counterApi, ApiError, type ApiResponse, type ChangeEvent } from '../../src-shared/contract/counter-api';
import type { DamagedReplicaDto, SetupStateDto, SyncStatusDto } from '../../src-shared/contract/sync-api';
import { syncText } from '../../src-shared/i18n/sync.zh-CN';
import { createCounterService, type CounterService } from '../counter/service';
import { openReplica, type Replica } from '../db/open';
import { takeDailyBackup } from '../db/replica-backups';
import { DamagedReplicaError, ReplicaError } from '../db/replica-error';
import { NoRescueFile, writeRescueFile } from './rescue-file';
import { connectCounter } from './connect';
import { fileTokenStore, type DeviceTokenStore, type ReplicaSecretStore } from './device-token-store';
import { moveDeviceTokenOutOfReplica, moveIdKeyOutOfReplica } from './move-device-token';
import { SyncError, SyncHttp } from './server-http';
import { probeServer, setupTrust } from './setup-trust';
import { serverOf, SyncClient, type SyncClientOptions } from './sync-client';

type Listener = (event: ChangeEvent) => void;

export interface CounterRuntimeOptions {
  /** The replica file; when it does not exist, the runtime serves the first-run setup. */
  path: string;
  sync?: SyncClientOptions;
  now?: () => Date;
  /** Where the device token is kept; a file next to the replica when omitted (Electron passes its encrypted store). */
  tokens?: DeviceTokenStore;
  /** Where the 身份证号 hash key is kept, likewise. */
  idKeys?: ReplicaSecretStore;
}

/** How often a running counter looks whether today's backup is made (it may run for days). */
const BACKUP_CHECK_MS = 60 * 60 * 1000;
const SETUP_METHODS = new Set(['setup.state', 'setup.probe', 'setup.login', 'setup.start', 'sync.status']);
const zodChinese = z.locales.zhCN().localeError;

function failure(e: unknown): ApiResponse<never> {
  if (e instanceof ApiError) return { ok: false, error: { code: e.code, message: e.message } };
  const message = (e as Error).message;
  return { ok: false, error: { code: e instanceof SyncError && e.status === 401 ? 'unauthorized' : 'refused', message } };
}

/**
 * What the transports (browser host, Electron worker) serve: the counter service over the
 * replica with its sync client running, or, until the replica exists, only the setup methods.
 * Setup downloads the snapshot in the background and switches to the counter service when the
 * new replica is in place, so the same window goes on without a restart.
 */
export class CounterRuntime {
  private service: CounterService | null = null;
  private client: SyncClient | null = null;
  private readonly listeners = new Set<Listener>();
  private setup: SetupStateDto = { needed: true, progress: null, error: null, damaged: null };
  private downloading = false;
  private backupTimer: NodeJS.Timeout | null = null;
  /** The backup under way: closing waits for it, as the copy reads the open replica. */
  private backingUp: Promise<void> = Promise.resolve();
  private readonly tokens: DeviceTokenStore;
  /**
   * Settles when an existing replica is attached. Moving an old replica's token into the store
   * may wait for another thread (Electron's main process), so calls wait for it; a failure is
   * the answer to every call, and to whoever awaits it at start.
   */
  readonly ready: Promise<void>;

  constructor(private readonly options: CounterRuntimeOptions) {
    this.tokens = options.tokens ?? fileTokenStore;
    // openReplica throws here, synchronously, on a file it cannot use, as before; a damaged
    // one is refused on screen instead, after its unsent ops are rescued.
    this.ready = existsSync(options.path) ? this.openExisting() : Promise.resolve();
    // Handled by dispatch and close: not an unhandled rejection if nobody else awaits it.
    this.ready.catch(() => undefined);
  }

  private openExisting(): Promise<void> {
    try {
      return this.open(openReplica(this.options.path, this.options.idKeys ? { idKeys: this.options.idKeys } : {}));
    } catch (e) {
      if (!(e instanceof DamagedReplicaError)) throw e;
      return this.refuseDamaged(e);
    }
  }

  /** Rescues what can still be read of the unsent ops, then serves only the screen that says what to do. */
  private async refuseDamaged(e: DamagedReplicaError): Promise<void> {
    const damaged: DamagedReplicaDto = { path: e.path, detail: e.detail, rescue: null, rescueError: null };
    try {
      damaged.rescue = await writeRescueFile(e.path, this.now());
    } catch (failure) {
      if (!(failure instanceof NoRescueFile && failure.reason === 'nothing_unsent')) damaged.rescueError = (failure as Error).message;
    }
    this.setup = { needed: false, progress: null, error: null, damaged };
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /**
   * The daily backup at start and whenever a check finds a new day. A failed backup does not
   * stop the counter; it is logged and tried again at the next check.
   */
  private keepDailyBackups(replica: Replica): void {
    const check = () => {
      this.backingUp = this.backingUp
        .then(() => takeDailyBackup(replica.sqlite, replica.path, this.now()))
        .then(
          () => undefined,
          (e: unknown) => console.error(`本柜台数据文件的每日备份失败（${(e as Error).message}），稍后重试`),
        );
    };
    check();
    this.backupTimer = setInterval(check, BACKUP_CHECK_MS);
    this.backupTimer.unref();
  }

  private async open(replica: Replica): Promise<void> {
    try {
      await moveDeviceTokenOutOfReplica(replica, this.tokens);
    } catch (e) {
      replica.close();
      throw new ReplicaError(syncText.tokenNotMoved((e as Error).message));
    }
    try {
      await moveIdKeyOutOfReplica(replica, replica.idKeys);
    } catch (e) {
      replica.close();
      throw new ReplicaError(syncText.idKeyNotMoved((e as Error).message));
    }
    this.attach(replica);
  }

  get replica(): Replica | null {
    return this.service?.replica ?? null;
  }

  get sync(): SyncClient | null {
    return this.client;
  }

  /** Starts the counter service (and sync, when the replica has a server) over an open replica. */
  private attach(replica: Replica): void {
    const server = serverOf(replica, this.tokens);
    this.client = server ? new SyncClient(replica, server, this.options.sync) : null;
    this.service = createCounterService(replica, { now: this.options.now, tokens: this.tokens, ...(this.client ? { sync: this.client } : {}) });
    replica.changes.subscribe((event) => {
      for (const listener of [...this.listeners]) listener(event);
    });
    this.client?.start();
    this.keepDailyBackups(replica);
    this.setup = { needed: false, progress: null, error: null, damaged: null };
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async dispatch(method: string, input: unknown): Promise<ApiResponse<unknown>> {
    try {
      await this.ready;
    } catch (e) {
      return failure(e);
    }
    if (this.service) return this.service.dispatch(method, input);
    const { damaged } = this.setup;
    if (damaged) {
      if (method === 'setup.state') return { ok: true, value: this.setup };
      return { ok: false, error: { code: 'refused', message: syncText.damaged.refused(damaged.path) } };
    }
    if (!SETUP_METHODS.has(method)) return { ok: false, error: { code: 'refused', message: syncText.setupFirst } };
    try {
      return { ok: true, value: await this.setupCall(method, input) };
    } catch (e) {
      return failure(e);
    }
  }

  private parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    const result = schema.safeParse(input ?? {}, { error: zodChinese });
    if (!result.success) throw new ApiError('bad_input', result.error.issues.map((i) => i.message).join('；'));
    return result.data;
  }

  private async setupCall(method: string, input: unknown): Promise<unknown> {
    switch (method) {
      case 'setup.state':
        return this.setup;
      case 'sync.status':
        return {
          configured: false,
          state: 'offline',
          unsent: 0,
          lastSyncAt: null,
          lastError: null,
          stale: false,
          tokenLost: false,
          rosterMerge: null,
          stuck: null,
          certificateChanged: null,
          restore: null,
        } satisfies SyncStatusDto;
      case 'setup.probe': {
        const body = this.parse(counterApi['setup.probe'].input, input);
        return probeServer(body.serverUrl, body.caFile);
      }
      case 'setup.login': {
        const body = this.parse(counterApi['setup.login'].input, input);
        const { origin, trust } = setupTrust(body.serverUrl, body);
        const answer = await new SyncHttp(origin, null, { trust }).login({ operatorNo: body.operatorNo, password: body.password });
        return { operator: answer.operator, batches: answer.batches, grants: answer.grants };
      }
      case 'setup.start': {
        const body = this.parse(counterApi['setup.start'].input, input);
        if (this.downloading) throw new ApiError('refused', syncText.setupBusy);
        this.downloading = true;
        this.setup = { needed: true, progress: { done: 0, total: 0 }, error: null, damaged: null };
        makePrivateDir(dirname(this.options.path));
        // The download runs on; the screen polls setup.state for the progress bar.
        connectCounter({ ...body, certificate: body, path: this.options.path, tokens: this.tokens, ...(this.options.idKeys ? { idKeys: this.options.idKeys } : {}), onProgress: (progress) => (this.setup = { ...this.setup, progress }) }).then(
          (replica) => {
            this.downloading = false;
            this.attach(replica);
          },
          (e: unknown) => {
            this.downloading = false;
            this.setup = { needed: true, progress: null, error: (e as Error).message, damaged: null };
          },
        );
        return this.setup;
      }
      default:
        throw new ApiError('not_found', syncText.setupFirst);
    }
  }

  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    if (this.backupTimer) clearInterval(this.backupTimer);
    await this.backingUp;
    await this.client?.stop();
    this.service?.replica.close();
  }
}
