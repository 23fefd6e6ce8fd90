import type { RescueFile, RescueUpload } from '../../src-shared/contract/rescue';
import { MAX_PUSH_OPS, changedEventSchema, type PushResponse } from '../../src-shared/contract/sync';
import type { Op } from '../../src-shared/contract/ops';
import type { SyncStatusDto } from '../../src-shared/contract/sync-api';
import { syncText } from '../../src-shared/i18n/sync.zh-CN';
import { readMeta, writeMeta } from '../db/meta';
import type { Replica } from '../db/open';
import { opsFrom, recordAcks, unackedOps, unsentCount } from '../db/outbox';
import { applyPulledPage, rebuildLocalView, type StepKey } from '../db/pulled-rows';
import { fileTokenStore, type DeviceTokenStore } from './device-token-store';
import { mergeSnapshot, resnapshotNeeded } from './roster-merge';
import { dismissRestore, markRestorePending, readSeenPosition, restorePending, showsRestore, writeSeenPosition } from '../db/server-history';
import { rebaseOnRestoredServer } from './restored-server';
import { followServer } from './follow-server';
import { restoreNotice } from './restore-notice';
import { outboxOpView, type OutboxOpRow } from './outbox-view';
import { bodyChunks, SyncHttp, SyncError } from './server-http';
import { readServerTrust, writeServerTrust, type ServerTrust } from './server-trust';
import { certificateOf } from './setup-trust';
import { learnServerIdentity } from './server-identity';
import type { SnapshotProgress } from './snapshot-loader';

export type ConnectionState = SyncStatusDto['state'];
export type SyncStatus = SyncStatusDto;

export const STALE_AFTER_MS = 5 * 60_000;
/** Failed pushes in a row headed by the same op before the sync panel names it. */
export const STUCK_AFTER = 3;

export interface SyncClientOptions {
  /** Regular pull, in case a nudge was missed. */
  pullIntervalMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  pushBatch?: number;
  pullLimit?: number;
  now?: () => Date;
  random?: () => number;
}

interface Settled {
  lastSyncAt: string | null;
  lastError: string | null;
}

/**
 * Where this replica's server is (meta) and the device's token (the token store); null for a
 * stand-alone replica, and when the store has lost the token.
 */
export function serverOf(replica: Replica, tokens: DeviceTokenStore = fileTokenStore): ServerAccess | null {
  const serverUrl = readMeta(replica.sqlite, 'serverUrl');
  const token = serverUrl ? tokens.read(replica.path) : null;
  if (!serverUrl || !token) return null;
  const trust = readServerTrust(replica.sqlite);
  return { serverUrl, token, ...(trust ? { trust } : {}) };
}

/** Where the server is, the device's token, and how its certificate is checked (none stored: loopback HTTP). */
export interface ServerAccess {
  serverUrl: string;
  token: string;
  trust?: ServerTrust;
}

/** The server's API as this replica reaches it. */
export function serverApi(server: ServerAccess, timeoutMs?: number): SyncHttp {
  return new SyncHttp(server.serverUrl, server.token, { ...(server.trust ? { trust: server.trust } : {}), ...(timeoutMs ? { timeoutMs } : {}) });
}

/** The replica names a server but the token store has lost its token: no sync; the counter works on offline. */
export function tokenLost(replica: Replica, tokens: DeviceTokenStore): boolean {
  return readMeta(replica.sqlite, 'serverUrl') !== null && tokens.read(replica.path) === null;
}

/** The end of the last successful round and the last error, as the last run stored them. */
function lastRound(replica: Replica): Settled {
  const row = replica.sqlite.prepare('select last_pull_at, last_error from sync_state where slot = 1').get() as
    | { last_pull_at: string | null; last_error: string | null }
    | undefined;
  return { lastSyncAt: row?.last_pull_at ?? null, lastError: row?.last_error ?? null };
}

/** The status a replica shows without a running client: what the last run stored. */
export function storedStatus(replica: Replica, now: Date, tokens: DeviceTokenStore, state: ConnectionState = 'offline'): SyncStatus {
  const { lastSyncAt, lastError } = lastRound(replica);
  const lost = tokenLost(replica, tokens);
  const configured = lost || serverOf(replica, tokens) !== null;
  return {
    configured,
    state,
    unsent: unsentCount(replica.sqlite),
    lastSyncAt,
    lastError: !configured ? syncText.notConfigured : lost ? syncText.tokenLost : lastError,
    stale: lastSyncAt === null || now.getTime() - Date.parse(lastSyncAt) > STALE_AFTER_MS,
    tokenLost: lost,
    rosterMerge: null,
    stuck: null,
    restore: restoreNotice(replica),
    certificateChanged: null,
  };
}

/**
 * The counter half of sync. It pushes the outbox after every local change, pulls on the
 * server's nudge, on an interval and after each push, and backs off exponentially with jitter
 * while the server cannot be reached. Everything runs on the event loop between operator
 * requests; each SQLite write is one short transaction, so the operator never waits for it.
 */
export class SyncClient {
  private api: SyncHttp;
  /** The last round failed on a certificate other than the pinned one. */
  private certificateChanged: { pinned: string; presented: string } | null = null;
  private readonly opts: Required<Omit<SyncClientOptions, 'now' | 'random'>>;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly listeners = new Set<(status: SyncStatus) => void>();
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private intervalTimer: NodeJS.Timeout | null = null;
  private events: AbortController | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = true;
  private state: ConnectionState = 'offline';
  private settled: Settled;
  private rosterMerge: SnapshotProgress | null = null;
  /** The first op of the push in flight; null outside a push. */
  private pushHead: string | null = null;
  /** Pushes in a row the server refused, all headed by this op (a network failure neither counts nor resets). */
  private headFailures: { opId: string; failures: number; error: string } | null = null;

  constructor(
    private readonly replica: Replica,
    server: ServerAccess,
    options: SyncClientOptions = {},
  ) {
    this.api = serverApi(server);
    this.opts = {
      pullIntervalMs: options.pullIntervalMs ?? 30_000,
      backoffBaseMs: options.backoffBaseMs ?? 1000,
      backoffMaxMs: options.backoffMaxMs ?? 60_000,
      pushBatch: Math.min(options.pushBatch ?? MAX_PUSH_OPS, MAX_PUSH_OPS),
      pullLimit: options.pullLimit ?? 1000,
    };
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.settled = lastRound(replica);
  }

  /** Starts background sync: an immediate round, the event stream, the interval. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.replica.changes.subscribe((event) => {
      if (event.source === 'local' && this.retryTimer === null) this.kick();
    });
    this.intervalTimer = setInterval(() => this.kick(), this.opts.pullIntervalMs);
    this.intervalTimer.unref();
    void this.listen();
    this.kick();
  }

  /** Stops every timer and stream and waits for a round in flight to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.intervalTimer) clearInterval(this.intervalTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.intervalTimer = null;
    this.retryTimer = null;
    this.events?.abort();
    this.events = null;
    await this.running?.catch(() => undefined);
  }

  status(): SyncStatus {
    const { lastSyncAt, lastError } = this.settled;
    const now = this.now().getTime();
    return {
      configured: true,
      state: this.state,
      unsent: unsentCount(this.replica.sqlite),
      lastSyncAt,
      lastError,
      stale: lastSyncAt === null || now - Date.parse(lastSyncAt) > STALE_AFTER_MS,
      tokenLost: false,
      rosterMerge: this.rosterMerge,
      stuck: this.stuckOp(),
      restore: restoreNotice(this.replica),
      certificateChanged: this.certificateChanged,
    };
  }

  /**
   * The operator compared the new fingerprint with the admin's: pins it, if the server presents
   * exactly that certificate now, and syncs again. Only for a pinned certificate; one from the
   * campus CA is the CA's business.
   */
  async trustCertificate(fingerprint: string): Promise<void> {
    const trust = this.api.trust;
    if (trust?.kind !== 'pinned') throw new SyncError(syncText.certificate.notPinned, null);
    const presented = (await certificateOf(this.api.baseUrl)).fingerprint;
    if (presented !== fingerprint) throw new SyncError(syncText.certificate.stillChanged(presented), null);
    const next: ServerTrust = { kind: 'pinned', fingerprint };
    writeServerTrust(this.replica.sqlite, next);
    this.api = this.api.withTrust(next);
    this.certificateChanged = null;
    // The event stream may be waiting out a backoff on the old certificate; a fresh one starts with the new.
    this.events?.abort();
    await this.sync().catch(() => undefined);
  }

  /**
   * Another address of the same server (src-main/sync/server-move.ts checked that): stored with
   * its trust in one transaction, then the outbox goes there as it stands. A round still under
   * way sends its remaining requests to the new address too.
   */
  async moveTo(server: ServerAccess): Promise<void> {
    const { sqlite } = this.replica;
    const trust: ServerTrust = server.trust ?? { kind: 'loopback' };
    sqlite.transaction(() => {
      writeMeta(sqlite, 'serverUrl', server.serverUrl);
      writeServerTrust(sqlite, trust);
    })();
    this.api = serverApi(server);
    this.certificateChanged = null;
    this.headFailures = null;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    // The event stream may be waiting on the old address; the next one starts at the new.
    this.events?.abort();
    await this.sync().catch(() => undefined);
  }

  private stuckOp(): SyncStatus['stuck'] {
    const head = this.headFailures;
    if (!head || head.failures < STUCK_AFTER) return null;
    const row = this.replica.sqlite.prepare('select * from outbox where op_id = ? and acked_at is null').get(head.opId) as OutboxOpRow | undefined;
    return row ? { ...outboxOpView(this.replica)(row), failures: head.failures, error: head.error } : null;
  }

  onStatus(listener: (status: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * One full round (push everything, then pull everything) that starts after this call: calls
   * during a round share one more round after it. Rejects with the round's error; background
   * callers ignore it (the status line shows it).
   */
  sync(): Promise<void> {
    if (!this.running) return this.startRound();
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.startRound();
      });
    return this.queued;
  }

  private startRound(): Promise<void> {
    this.running = this.round().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Another counter's ops from its rescue file; what they changed comes back with the next pull. */
  async uploadRescue(rescue: RescueFile): Promise<RescueUpload> {
    const upload = await this.api.uploadRescue(rescue);
    this.kick();
    return upload;
  }

  /** A supervisor marks a conflict as dealt with; needs the server, and the new row comes back with the pull. */
  async resolveConflict(id: number, operatorNo: string): Promise<void> {
    await this.api.resolveConflict(id, operatorNo);
    await this.sync();
  }

  private kick(): void {
    this.sync().catch(() => undefined);
  }

  private emitStatus(): void {
    const status = this.status();
    for (const listener of [...this.listeners]) {
      try {
        listener(status);
      } catch (e) {
        console.error('sync status listener failed', e);
      }
    }
  }

  private async round(): Promise<void> {
    this.state = 'syncing';
    this.pushHead = null;
    this.emitStatus();
    try {
      // Pushing first: a merge that keeps failing must not hold back the operators' ops.
      const { sqlite } = this.replica;
      await this.pushAll();
      if (!restorePending(sqlite) && resnapshotNeeded(sqlite)) await this.mergeRoster();
      if (!restorePending(sqlite)) await this.pullAll();
      // The pull found the device's roster scope changed: the replica grows or shrinks in this round.
      if (!restorePending(sqlite) && resnapshotNeeded(sqlite)) {
        await this.mergeRoster();
        await this.pullAll();
      }
      if (restorePending(sqlite)) {
        // The server came back from a backup: rebuild from its snapshot, send what it lacks of ours, go on pulling.
        await this.rebase();
        await this.pushAll();
        await this.pullAll();
      }
      await learnServerIdentity(sqlite, this.api);
      this.failures = 0;
      this.certificateChanged = null;
      this.state = 'online';
      const at = this.now().toISOString();
      this.settled = { lastSyncAt: at, lastError: null };
      this.replica.sqlite.prepare('update sync_state set last_error = null, last_pull_at = ? where slot = 1').run(at);
    } catch (e) {
      this.failures += 1;
      const message = e instanceof SyncError ? e.message : syncText.localFailure((e as Error).message);
      if (!(e instanceof SyncError)) console.error('sync round failed', e);
      this.certificateChanged = e instanceof SyncError ? (e.certificate ?? null) : null;
      this.state = !(e instanceof SyncError) ? 'local_error' : e.status === null && !e.certificate ? 'offline' : 'error';
      if (this.state === 'error' && this.pushHead !== null) {
        const same = this.headFailures?.opId === this.pushHead;
        this.headFailures = { opId: this.pushHead, failures: same ? this.headFailures!.failures + 1 : 1, error: message };
      }
      this.settled = { ...this.settled, lastError: message };
      this.replica.sqlite.prepare('update sync_state set last_error = ? where slot = 1').run(message);
      this.scheduleRetry();
      throw e;
    } finally {
      this.emitStatus();
    }
  }

  /** Full jitter between half and all of an exponentially growing delay: counters that lost the network together do not return together. */
  retryDelayMs(failures: number): number {
    const ceiling = Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** Math.max(0, failures - 1));
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.kick();
    }, this.retryDelayMs(this.failures));
    this.retryTimer.unref();
  }

  private async pushAll(): Promise<void> {
    let resumeAt: number | null = null;
    for (;;) {
      const ops: Op[] = resumeAt === null ? unackedOps(this.replica.sqlite, this.opts.pushBatch) : opsFrom(this.replica.sqlite, resumeAt, this.opts.pushBatch);
      if (ops.length === 0) return;
      let response: PushResponse;
      this.pushHead = ops[0]!.opId;
      try {
        response = await this.api.push(ops);
      } catch (e) {
        // The server already holds ops this counter thought unsent (or lost some): resume where it says.
        if (e instanceof SyncError && e.code === 'seq_gap' && e.expectedDeviceSeq !== undefined && e.expectedDeviceSeq !== resumeAt) {
          resumeAt = e.expectedDeviceSeq;
          continue;
        }
        if (e instanceof SyncError && e.code === 'op_mismatch') throw new SyncError(syncText.opMismatch(e.message), e.status, e.code);
        throw e;
      }
      resumeAt = null;
      this.pushHead = null;
      this.headFailures = null;
      this.recordResults(response);
      if (showsRestore(this.replica.sqlite, response.history, response.serverSeq, this.cursor())) markRestorePending(this.replica.sqlite);
    }
  }

  private recordResults(response: PushResponse): void {
    const { sqlite, batch } = this.replica;
    const at = this.now().toISOString();
    const touched = new Set<string>();
    sqlite
      .transaction(() => {
        const notApplied = recordAcks(sqlite, response.results, at);
        const states: StepKey[] = [];
        const waivers: StepKey[] = [];
        for (const key of notApplied) {
          (key.kind === 'lift' || key.kind === 'impose' ? waivers : states).push(key);
          touched.add(key.studentNo);
        }
        rebuildLocalView(sqlite, batch, states, waivers);
        sqlite.prepare('update sync_state set last_push_at = ? where slot = 1').run(at);
      })
      .immediate();
    this.replica.changes.emit({ type: 'changed', studentNos: [...touched], source: 'sync' });
  }

  private cursor(): number {
    const row = this.replica.sqlite.prepare('select cursor from sync_state where slot = 1').get() as { cursor: number } | undefined;
    return row?.cursor ?? 0;
  }

  /** Inside a round, so no pull lands between the snapshot's read and its merge. */
  private async mergeRoster(): Promise<void> {
    try {
      const studentNos = await mergeSnapshot(
        this.replica,
        this.api,
        (progress) => {
          this.rosterMerge = progress;
          this.emitStatus();
        },
        this.now,
      );
      this.replica.changes.emit({ type: 'changed', studentNos, source: 'sync' });
    } finally {
      this.rosterMerge = null;
    }
  }

  /** Pages until the end; stops early, storing nothing more, when an answer shows the server was restored. */
  private async pullAll(): Promise<void> {
    const { sqlite } = this.replica;
    for (;;) {
      const cursor = this.cursor();
      const page = await this.api.pull(cursor, this.opts.pullLimit, readSeenPosition(sqlite));
      if (showsRestore(sqlite, page.history, page.serverSeq, cursor)) {
        markRestorePending(sqlite);
        return;
      }
      const studentNos = sqlite
        .transaction(() => {
          const touched = applyPulledPage(sqlite, this.replica.batch, page, this.now().toISOString());
          followServer(this.replica, page.access);
          writeSeenPosition(sqlite, { history: page.history, seq: page.serverSeq, mark: page.mark });
          return touched;
        })
        .immediate();
      this.replica.changes.emit({ type: 'changed', studentNos, source: 'sync' });
      if (!page.hasMore) return;
    }
  }

  /** Inside a round, like the roster merge. */
  private async rebase(): Promise<void> {
    try {
      const studentNos = await rebaseOnRestoredServer(
        this.replica,
        this.api,
        (progress) => {
          this.rosterMerge = progress;
          this.emitStatus();
        },
        this.now,
      );
      this.replica.changes.emit({ type: 'changed', studentNos, source: 'sync' });
    } finally {
      this.rosterMerge = null;
    }
  }

  /** The operator read the restore banner. */
  dismissRestore(historyId: string): SyncStatus {
    dismissRestore(this.replica.sqlite, historyId, this.now().toISOString());
    this.emitStatus();
    return this.status();
  }

  /** The server's event stream: a nudge to pull whenever its seq passes our cursor. Reconnects with backoff. */
  private async listen(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const controller = new AbortController();
      this.events = controller;
      try {
        const res = await this.api.stream('/api/sync/events', controller.signal);
        failures = 0;
        const decoder = new TextDecoder();
        let buffer = '';
        for await (const chunk of bodyChunks(res)) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            this.onEvent(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch {
        failures += 1;
      }
      if (this.stopped) return;
      await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs(Math.max(failures, 1))).unref());
    }
  }

  private onEvent(block: string): void {
    const lines = block.split('\n');
    if (!lines.includes('event: changed')) return;
    const data = lines.find((l) => l.startsWith('data:'));
    if (!data) return;
    let event: { seq: number; history: string };
    try {
      event = changedEventSchema.parse(JSON.parse(data.slice('data:'.length)));
    } catch {
      return;
    }
    const seen = readSeenPosition(this.replica.sqlite);
    const newHistory = seen !== null && seen.history.id !== event.history;
    if (event.seq <= this.cursor() && !newHistory) return;
    // The server is reachable again: no reason to sit out the rest of a backoff.
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    this.kick();
  }
}
