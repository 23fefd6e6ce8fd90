import { rescueUploadSchema, type RescueFile, type RescueUpload } from '../../src-shared/contract/rescue';
import type { z } from 'zod';
import {
  errorResponseSchema,
  loginResponseSchema,
  pullResponseSchema,
  pushResponseSchema,
  registerDeviceResponseSchema,
  resolveConflictResponseSchema,
  restoreReportResponseSchema,
  type ConflictRow,
  type LoginResponse,
  type PullResponse,
  type PushResponse,
  type RegisterDeviceResponse,
  type RestoreLoss,
  type SyncPosition,
  type SyncErrorCode,
} from '../../src-shared/contract/sync';
import type { Op } from '../../src-shared/contract/ops';
import { healthResponseSchema, serverMoveResponseSchema, type HealthResponse, type ServerMoveResponse } from '../../src-shared/contract/server-identity';
import { syncText } from '../../src-shared/i18n/sync.zh-CN';
import { CertificateMismatchError, certificateErrorCode, serverFetch } from './server-transport';
import { ServerAddressError, trustFor, type ServerTrust } from './server-trust';

/**
 * Why a call to the server failed, in Chinese for the status line. `status` is null when no
 * answer came at all (the network, a timeout): the counter is offline rather than refused.
 */
export class SyncError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: SyncErrorCode | null = null,
    readonly expectedDeviceSeq?: number,
    /** The server presented another certificate than the pinned one; sync stops until it is confirmed again. */
    readonly certificate?: { pinned: string; presented: string },
  ) {
    super(message);
    this.name = 'SyncError';
  }
}

export const REQUEST_TIMEOUT_MS = 20_000;

/** Why a connection failed, in Chinese: a changed or unverifiable certificate is told apart from a dead network. */
export function transportError(baseUrl: string, e: unknown): SyncError {
  if (e instanceof CertificateMismatchError) {
    return new SyncError(syncText.certificateChanged(baseUrl, e.pinned, e.presented), null, null, undefined, { pinned: e.pinned, presented: e.presented });
  }
  const code = certificateErrorCode(e) ?? certificateErrorCode((e as { cause?: unknown }).cause);
  if (code) return new SyncError(syncText.certificateUnverified(baseUrl, code), null);
  if ((e as NodeJS.ErrnoException).code === 'EPROTO' || (e as NodeJS.ErrnoException).code === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    return new SyncError(syncText.notHttps(baseUrl), null);
  }
  return new SyncError(syncText.unreachable(baseUrl), null);
}

/** The body of a streamed response, chunk by chunk (the DOM typings of ReadableStream are not async-iterable). */
export async function* bodyChunks(res: Response): AsyncGenerator<Uint8Array> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The query parameters that report a position seen (empty without one). */
export function positionQuery(seen: SyncPosition | null, joiner: '?' | '&'): string {
  if (seen === null) return '';
  const params = new URLSearchParams({ history: seen.history.id, seenSeq: String(seen.seq) });
  if (seen.mark !== null) params.set('seenMark', seen.mark);
  return `${joiner}${params.toString()}`;
}

/** The central server's HTTP API as the counter uses it; every answer is checked against the shared schemas. */
export class SyncHttp {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | null = null,
    options: { trust?: ServerTrust; timeoutMs?: number } = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    try {
      this.trust = trustFor(baseUrl, options.trust ?? null);
    } catch (e) {
      // A replica from before HTTPS was required: it opens and works offline; every call says why it cannot sync.
      if (!(e instanceof ServerAddressError)) throw e;
      this.trust = null;
      this.trustProblem = e.message;
    }
  }

  /** Loopback HTTP, or how this counter checks the server's certificate; null when the address may not be used. */
  readonly trust: ServerTrust | null;
  private readonly trustProblem: string | null = null;
  private readonly timeoutMs: number;

  withTrust(trust: ServerTrust): SyncHttp {
    return new SyncHttp(this.baseUrl, this.token, { trust, timeoutMs: this.timeoutMs });
  }

  withToken(token: string): SyncHttp {
    return new SyncHttp(this.baseUrl, token, { ...(this.trust ? { trust: this.trust } : {}), timeoutMs: this.timeoutMs });
  }

  registerDevice(body: { operatorNo: string; password: string; name: string; batchId: string; registrationCode: string }): Promise<RegisterDeviceResponse> {
    return this.json('POST', '/api/devices', registerDeviceResponseSchema, body);
  }

  login(body: { operatorNo: string; password: string }): Promise<LoginResponse> {
    return this.json('POST', '/api/login', loginResponseSchema, body);
  }

  push(ops: Op[]): Promise<PushResponse> {
    return this.json('POST', '/api/sync/push', pushResponseSchema, { ops });
  }

  /** `seen`: the position pulled last, so that a server restored by other means renews its history (docs/sync-protocol.md). */
  pull(cursor: number, limit: number, seen: SyncPosition | null = null): Promise<PullResponse> {
    return this.json('GET', `/api/sync/pull?cursor=${cursor}&limit=${limit}${positionQuery(seen, '&')}`, pullResponseSchema);
  }

  /** Another counter's rescue file, through the server's push path (docs/local-replica.md). */
  uploadRescue(rescue: RescueFile): Promise<RescueUpload> {
    return this.json('POST', '/api/sync/rescue', rescueUploadSchema, rescue);
  }

  restoreReport(history: string, losses: RestoreLoss[]): Promise<{ losses: RestoreLoss[] }> {
    return this.json('POST', '/api/sync/restore-report', restoreReportResponseSchema, { history, losses });
  }

  resolveConflict(id: number, operatorNo: string): Promise<ConflictRow> {
    return this.json('POST', `/api/conflicts/${id}/resolve`, resolveConflictResponseSchema, { operatorNo });
  }

  /** The server's identity and seq; asks nothing of the counter, so it may go to an address not yet trusted with the token. */
  health(): Promise<HealthResponse> {
    return this.json('GET', '/api/health', healthResponseSchema);
  }

  /** A supervisor's consent to use this address (sent with the device token to the new address). */
  serverMove(body: { operatorNo: string; password: string; serverUrl: string }): Promise<ServerMoveResponse> {
    return this.json('POST', '/api/server-move', serverMoveResponseSchema, body);
  }

  /** The raw response of a long-lived stream (snapshot, events); the caller reads the body. */
  async stream(path: string, signal: AbortSignal): Promise<Response> {
    const res = await this.fetch('GET', path, undefined, signal);
    if (!res.ok) throw await this.failure(res);
    if (!res.body) throw new SyncError(syncText.badAnswer(this.baseUrl), res.status);
    return res;
  }

  private headers(body: unknown): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return headers;
  }

  private async fetch(method: string, path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    if (!this.trust) throw new SyncError(this.trustProblem!, null);
    try {
      return await serverFetch(
        `${this.baseUrl}${path}`,
        { method, headers: this.headers(body), ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal },
        this.trust,
      );
    } catch (e) {
      if ((e as Error).name === 'TimeoutError') throw new SyncError(syncText.timeout(this.baseUrl, this.timeoutMs / 1000), null);
      if ((e as Error).name === 'AbortError') throw e;
      throw transportError(this.baseUrl, e);
    }
  }

  private async json<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    const res = await this.fetch(method, path, body, AbortSignal.timeout(this.timeoutMs));
    if (!res.ok) throw await this.failure(res);
    let parsed: unknown;
    try {
      parsed = await res.json();
    } catch {
      throw new SyncError(syncText.badAnswer(this.baseUrl), null);
    }
    const result = schema.safeParse(parsed);
    if (!result.success) throw new SyncError(syncText.badAnswer(this.baseUrl), res.status);
    return result.data;
  }

  private async failure(res: Response): Promise<SyncError> {
    let text: string;
    try {
      text = await res.text();
    } catch {
      return new SyncError(syncText.httpStatus(res.status), null);
    }
    try {
      const { error } = errorResponseSchema.parse(JSON.parse(text));
      return new SyncError(error.message, res.status, error.code, error.expectedDeviceSeq);
    } catch {
      return new SyncError(syncText.httpStatus(res.status), res.status);
    }
  }
}
