import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ErrorResponse, SyncErrorCode } from '../../src-shared/contract/sync';
import { dbErrorDetail, dbErrorKind } from '../db/db-errors';

/** A refusal with an HTTP status and a Chinese message; rendered as ErrorResponse. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: SyncErrorCode,
    message: string,
    readonly extra: Omit<ErrorResponse['error'], 'code' | 'message'> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Parses with a contract schema, turning its issues into a 400 that names each field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(整体)', message: i.message }));
  throw new HttpError(400, 'bad_request', `${what}格式有误：${issues.map((i) => `${i.path}: ${i.message}`).join('；')}`, {
    issues,
  });
}

const BODY_ERRORS: Record<string, { status: number; code: SyncErrorCode; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json', message: '请求内容不是有效的 JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', message: '请求内容为空，需要 JSON' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'bad_request', message: '请求内容必须是 JSON（Content-Type: application/json）' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'bad_request', message: '请求长度与 Content-Length 不符' },
};

export function errorBody(code: SyncErrorCode, message: string, extra: object = {}): ErrorResponse {
  return { error: { code, message, ...extra } };
}

export function handleError(bodyLimit: number) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof HttpError) {
      return reply.code(error.status).headers(error.headers).send(errorBody(error.code, error.message, error.extra));
    }
    const code = 'code' in error ? error.code : undefined;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const mb = ((request.routeOptions.bodyLimit ?? bodyLimit) / 1024 / 1024).toFixed(0);
      return reply.code(413).send(errorBody('body_too_large', `请求内容过大（上限 ${mb} MB），请分批上传`));
    }
    const known = code ? BODY_ERRORS[code] : undefined;
    if (known) return reply.code(known.status).send(errorBody(known.code, known.message));
    if (error instanceof SyntaxError && 'statusCode' in error && error.statusCode === 400) {
      return reply.code(400).send(errorBody('invalid_json', '请求内容不是有效的 JSON'));
    }
    const dbError = dbErrorKind(error);
    if (dbError === 'unavailable') {
      request.log.warn({ err: error }, 'database unavailable');
      return reply.code(503).header('retry-after', '5').send(errorBody('unavailable', '服务器暂时无法访问数据库，请稍后重试（本次请求未生效）'));
    }
    if (dbError === 'data') {
      return reply.code(400).send(errorBody('bad_request', `请求中的数据无法保存（${dbErrorDetail(error)}），请检查后重试`));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(errorBody('internal', '服务器内部错误，请稍后重试'));
  };
}
