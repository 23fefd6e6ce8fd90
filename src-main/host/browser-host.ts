import { RESCUE_TEXT_MAX } from '../../src-shared/contract/sync-api';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiErrorCode, ApiResponse } from '../../src-shared/contract/counter-api';
import { messages } from '../counter/messages';
import { isMethod, type CounterService } from '../counter/service';
import { resolveInside, serveFile } from './static-files';

export interface BrowserHostOptions {
  /** A counter service, or anything that dispatches the same methods (the first-run setup runtime). */
  service: Pick<CounterService, 'dispatch' | 'subscribe'>;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  port?: number;
  host?: string;
}

export interface BrowserHost {
  /** Open this in the browser: the renderer reads the token from the query string. */
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
/** An imported .xlsx travels as base64 in the call: a 50,000-row list is about 1.4 MB of it. */
const IMPORT_BODY_BYTES = 32 * 1024 * 1024;
/** A rescue file of RESCUE_MAX_OPS ops travels as its JSON text (RESCUE_TEXT_MAX), escaped once more in the call. */
const RESCUE_BODY_BYTES = 2 * RESCUE_TEXT_MAX;
const BODY_LIMITS: Partial<Record<string, number>> = {
  'listImport.preview': IMPORT_BODY_BYTES,
  'listImport.apply': IMPORT_BODY_BYTES,
  'sync.uploadRescue': RESCUE_BODY_BYTES,
};
const HEARTBEAT_MS = 25_000;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  // Vite inlines the smallest slices of the bundled CJK webfont as data: URLs.
  "font-src 'self' data:",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const text = {
  unauthorized: '访问令牌无效，请使用离校办理台启动时显示的网址打开',
  badHost: '拒绝访问：请通过 127.0.0.1 打开离校办理台',
  notFound: '没有这个页面',
  methodNotAllowed: '不支持这种请求方式',
  tooLarge: (limit: number) => `请求内容过大（超过 ${limit / 1024 / 1024} MB）`,
  badJson: '请求内容不是有效的 JSON',
  notLoopback: (host: string) => `浏览器模式只能监听本机地址（127.0.0.1），不能监听 ${host}`,
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function tokenMatches(expected: Buffer, given: string | null | undefined): boolean {
  if (!given) return false;
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function bearer(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : null;
}

function sendJson(res: ServerResponse, status: number, body: ApiResponse<unknown>): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(json);
}

function sendError(res: ServerResponse, e: HttpError): void {
  sendJson(res, e.status, { ok: false, error: { code: e.code, message: e.message } });
}

async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new HttpError(413, 'bad_input', text.tooLarge(limit));
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'bad_input', text.tooLarge(limit));
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks).toString('utf8').trim();
  if (body === '') return {};
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new HttpError(400, 'bad_input', text.badJson);
  }
}

/**
 * The counter API over HTTP on the loopback interface, so the renderer runs in a plain browser
 * (tests, and machines without the Electron binary). A per-run token guards every API call; the
 * Host check keeps a malicious page from reaching it through DNS rebinding.
 */
export async function startBrowserHost({ service, rendererDir, port = 0, host = '127.0.0.1' }: BrowserHostOptions): Promise<BrowserHost> {
  if (!LOOPBACK.has(host)) throw new Error(text.notLoopback(host));
  const token = randomBytes(24).toString('base64url');
  const expected = Buffer.from(token);
  const streams = new Set<ServerResponse>();
  let boundPort = port;

  const hostAllowed = (req: IncomingMessage) => {
    const value = req.headers.host ?? '';
    return [`127.0.0.1:${boundPort}`, `localhost:${boundPort}`, `[::1]:${boundPort}`].includes(value);
  };

  const handleCall = async (req: IncomingMessage, res: ServerResponse, method: string) => {
    if (req.method !== 'POST') throw new HttpError(405, 'bad_input', text.methodNotAllowed);
    if (!tokenMatches(expected, bearer(req))) throw new HttpError(401, 'unauthorized', text.unauthorized);
    if (!isMethod(method)) throw new HttpError(404, 'not_found', messages.unknownMethod(method));
    const input = await readJsonBody(req, BODY_LIMITS[method] ?? MAX_BODY_BYTES);
    sendJson(res, 200, await service.dispatch(method, input));
  };

  const handleEvents = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (req.method !== 'GET') throw new HttpError(405, 'bad_input', text.methodNotAllowed);
    if (!tokenMatches(expected, url.searchParams.get('token'))) throw new HttpError(401, 'unauthorized', text.unauthorized);
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    streams.add(res);
    const unsubscribe = service.subscribe((event) => res.write(`data: ${JSON.stringify(event)}\n\n`));
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
  };

  const handleStatic = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'bad_input', text.methodNotAllowed);
    const file = resolveInside(rendererDir, url.pathname);
    if (!file || !(await serveFile(res, file, req.method === 'HEAD'))) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(text.notFound);
    }
  };

  const server = createServer((req, res) => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const handle = async () => {
      if (!hostAllowed(req)) throw new HttpError(403, 'forbidden', text.badHost);
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      if (url.pathname.startsWith('/api/call/')) return handleCall(req, res, url.pathname.slice('/api/call/'.length));
      if (url.pathname === '/api/events') return handleEvents(req, res, url);
      if (url.pathname.startsWith('/api/')) throw new HttpError(404, 'not_found', text.notFound);
      return handleStatic(req, res, url);
    };
    handle().catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // The rest of an oversized body is not worth reading: answer, then drop the connection.
      if (e instanceof HttpError && e.status === 413) res.setHeader('Connection', 'close');
      if (e instanceof HttpError) sendError(res, e);
      else sendError(res, new HttpError(500, 'internal', messages.internal((e as Error).message)));
    });
  });

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done();
    });
  });
  boundPort = (server.address() as AddressInfo).port;

  const urlHost = host === '::1' ? '[::1]' : host;
  return {
    url: `http://${urlHost}:${boundPort}/?token=${token}`,
    token,
    port: boundPort,
    close: () =>
      new Promise<void>((done) => {
        for (const res of streams) res.end();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
