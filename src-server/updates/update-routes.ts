import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Db } from '../db/database';
import { errorBody } from '../http/http-error';
import { parseRange, type ByteRange } from './byte-ranges';
import { withStagingPercentage } from './channel-file';
import { CHUNK_SIZE, findServedFile, isChannelFile, readStoredBytes, type ServedFile } from './release-store';

/** Bytes read from the database per step of a long response. */
const STEP = 4 * CHUNK_SIZE;

type Source = { size: number; read(range: ByteRange): AsyncGenerator<Buffer> };

function storedSource(db: Db, file: ServedFile): Source {
  return {
    size: file.size,
    async *read({ start, end }) {
      for (let at = start; at <= end; at += STEP) yield await readStoredBytes(db, file, at, Math.min(end, at + STEP - 1));
    },
  };
}

function bufferSource(bytes: Buffer): Source {
  return {
    size: bytes.length,
    async *read({ start, end }) {
      yield bytes.subarray(start, end + 1);
    },
  };
}

async function* multipart(source: Source, ranges: ByteRange[], boundary: string, contentType: string): AsyncGenerator<Buffer> {
  for (const range of ranges) {
    yield Buffer.from(`\r\n--${boundary}\r\nContent-Type: ${contentType}\r\nContent-Range: bytes ${range.start}-${range.end}/${source.size}\r\n\r\n`);
    yield* source.read(range);
  }
  yield Buffer.from(`\r\n--${boundary}--\r\n`);
}

function multipartLength(source: Source, ranges: ByteRange[], boundary: string, contentType: string): number {
  let length = Buffer.byteLength(`\r\n--${boundary}--\r\n`);
  for (const r of ranges) {
    length += Buffer.byteLength(`\r\n--${boundary}\r\nContent-Type: ${contentType}\r\nContent-Range: bytes ${r.start}-${r.end}/${source.size}\r\n\r\n`);
    length += r.end - r.start + 1;
  }
  return length;
}

function send(reply: FastifyReply, source: Source, rangeHeader: string | undefined, contentType: string) {
  reply.header('accept-ranges', 'bytes');
  const request = parseRange(rangeHeader, source.size);
  if (request.kind === 'unsatisfiable') {
    return reply.code(416).header('content-range', `bytes */${source.size}`).send(errorBody('bad_request', `请求的范围超出文件长度（${source.size} 字节）`));
  }
  reply.header('content-type', contentType);
  if (request.kind === 'whole') {
    reply.header('content-length', source.size);
    return reply.code(200).send(Readable.from(source.size === 0 ? [] : source.read({ start: 0, end: source.size - 1 })));
  }
  const [only] = request.ranges;
  if (request.ranges.length === 1 && only) {
    reply.header('content-range', `bytes ${only.start}-${only.end}/${source.size}`).header('content-length', only.end - only.start + 1);
    return reply.code(206).send(Readable.from(source.read(only)));
  }
  const boundary = randomBytes(12).toString('hex');
  reply.header('content-type', `multipart/byteranges; boundary=${boundary}`);
  reply.header('content-length', multipartLength(source, request.ranges, boundary, contentType));
  return reply.code(206).send(Readable.from(multipart(source, request.ranges, boundary, contentType)));
}

/**
 * The counters' update feed: electron-updater's generic provider reads /updates/latest*.yml and
 * downloads the installer (or, differentially, ranges of it) from here. No sign-in: installers
 * hold no data, and a counter that lost its token must still be able to update.
 */
export function registerUpdateRoutes(app: FastifyInstance, db: Db): void {
  app.get<{ Params: { name: string } }>('/updates/:name', async (request, reply) => {
    const { name } = request.params;
    const file = await findServedFile(db, name);
    if (!file) return reply.code(404).send(errorBody('not_found', `没有这个更新文件：${name}`));
    // Channel files change on withdraw and staging; installers never change under one name and version.
    if (isChannelFile(name)) {
      reply.header('cache-control', 'no-cache');
      const yml = (await readStoredBytes(db, file, 0, file.size - 1)).toString('utf8');
      return send(reply, bufferSource(Buffer.from(withStagingPercentage(yml, file.stagingPercentage))), request.headers.range, 'text/yaml; charset=utf-8');
    }
    reply.header('etag', `"${Buffer.from(file.sha512, 'base64').subarray(0, 16).toString('hex')}"`);
    return send(reply, storedSource(db, file), request.headers.range, 'application/octet-stream');
  });
}
