import type { z } from 'zod';
import type { Op } from '../../src-shared/contract/ops';
import {
  changedEventSchema,
  errorResponseSchema,
  loginResponseSchema,
  pullResponseSchema,
  pushResponseSchema,
  registerDeviceResponseSchema,
  snapshotLineSchema,
  type LoginResponse,
  type PullResponse,
  type PushResponse,
  type RegisterDeviceResponse,
  type SnapshotLine,
  type SyncErrorCode,
} from '../../src-shared/contract/sync';

/** The server answered with an error (docs/sync-protocol.md); `message` is Chinese. */
export class ServerError extends Error {
  constructor(
    readonly status: number,
    readonly code: SyncErrorCode,
    message: string,
    readonly expectedDeviceSeq?: number,
  ) {
    super(message);
    this.name = 'ServerError';
  }
}

/** The server could not be reached, or the connection broke: try again later. */
export class OfflineError extends Error {
  constructor(cause: unknown) {
    super(`无法连接服务器：${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'OfflineError';
  }
}

export interface ServerApiOptions {
  baseUrl: string;
  /** The device token, once registered. */
  token?: string;
  /** Per request; a pull or push that hangs longer is treated as offline. */
  timeoutMs?: number;
}

/** The sync endpoints of the central server, validated with the shared contract. */
export class ServerApi {
  private readonly baseUrl: string;

  constructor(private readonly options: ServerApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  withToken(token: string): ServerApi {
    return new ServerApi({ ...this.options, token });
  }

  registerDevice(input: { operatorNo: string; password: string; name: string; batchId: string }): Promise<RegisterDeviceResponse> {
    return this.json('POST', '/api/devices', registerDeviceResponseSchema, input);
  }

  login(input: { operatorNo: string; password: string }): Promise<LoginResponse> {
    return this.json('POST', '/api/login', loginResponseSchema, input);
  }

  push(ops: Op[]): Promise<PushResponse> {
    return this.json('POST', '/api/sync/push', pushResponseSchema, { ops });
  }

  pull(cursor: number, limit?: number): Promise<PullResponse> {
    const query = new URLSearchParams({ cursor: String(cursor) });
    if (limit !== undefined) query.set('limit', String(limit));
    return this.json('GET', `/api/sync/pull?${query}`, pullResponseSchema);
  }

  /** The snapshot, line by line as it arrives; the last line is the "end" line or the download failed. */
  async *snapshot(signal?: AbortSignal): AsyncGenerator<SnapshotLine> {
    const res = await this.request('GET', '/api/sync/snapshot', undefined, signal, false);
    if (!res.body) throw new OfflineError(new Error('快照没有内容'));
    const decoder = new TextDecoder();
    let buffer = '';
    let ended = false;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line.trim() === '') continue;
          const parsed = snapshotLineSchema.parse(JSON.parse(line));
          if (parsed.type === 'end') ended = true;
          yield parsed;
        }
      }
    } catch (e) {
      if (e instanceof SyntaxError || (e as Error).name === 'ZodError') throw e;
      throw new OfflineError(e);
    }
    if (!ended) throw new OfflineError(new Error('快照下载中断'));
  }

  /** Calls `onChanged` with the server's seq on every "changed" event until aborted or cut. */
  async events(onChanged: (seq: number) => void, signal: AbortSignal): Promise<void> {
    const res = await this.request('GET', '/api/sync/events', undefined, signal, false);
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^event: changed\ndata: (.*)$/m.exec(event);
          if (data?.[1]) onChanged(changedEventSchema.parse(JSON.parse(data[1])).seq);
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      throw new OfflineError(e);
    }
  }

  private async json<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    const res = await this.request(method, path, body);
    let json: unknown;
    try {
      json = await res.json();
    } catch (e) {
      throw new OfflineError(e);
    }
    return schema.parse(json);
  }

  private async request(method: string, path: string, body?: unknown, signal?: AbortSignal, timeout = true): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const signals = [signal, timeout ? AbortSignal.timeout(this.options.timeoutMs ?? 30_000) : undefined].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
      });
    } catch (e) {
      throw new OfflineError(e);
    }
    if (res.ok) return res;
    let error: ServerError;
    try {
      const parsed = errorResponseSchema.parse(await res.json()).error;
      error = new ServerError(res.status, parsed.code, parsed.message, parsed.expectedDeviceSeq);
    } catch {
      if (res.status >= 500 || res.status === 502 || res.status === 503) throw new OfflineError(new Error(`HTTP ${res.status}`));
      error = new ServerError(res.status, 'internal', `服务器返回了无法识别的错误（HTTP ${res.status}）`);
    }
    throw error;
  }
}
