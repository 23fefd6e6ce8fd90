import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db/database';
import { DEFAULT_SIGN_IN_LIMITS, SignInLimits, type SignInLimitRules } from '../auth/sign-in-limits';
import { BatchCache } from '../sync/batch-cache';
import { ChangeNotifier } from '../sync/change-notifier';
import { HistoryGuard } from '../sync/history';
import type { ServerContext } from './context';
import { errorBody, handleError } from './http-error';
import { registerAuthRoutes } from './auth-routes';
import { registerSyncRoutes } from './sync-routes';
import { registerIntegrationRoutes } from './integration-routes';
import { registerConflictRoutes } from './conflict-routes';
import { registerServerMoveRoutes } from './server-move-routes';
import { registerUpdateRoutes } from '../updates/update-routes';
import { registerConsole } from '../console/console-app';
import { registerStudentPage } from '../student-page/student-page-app';

export interface ServerAppOptions {
  db: Db;
  logger?: boolean;
  /** Where the log goes when `logger` is on (standard output by default). */
  logStream?: NodeJS.WritableStream;
  /** Largest request body accepted; a full push of 1,000 ops is about 400 KB. */
  bodyLimit?: number;
  loginLimits?: Partial<SignInLimitRules>;
  /** The clock of the sign-in limits (tests move it instead of waiting). */
  now?: () => Date;
  /** How often to look for changes committed by other processes (CLI imports, other servers). */
  watchIntervalMs?: number;
  /** The built console (default out/console). */
  consoleDir?: string;
  /** The built student page (default out/student). */
  studentDir?: string;
  /**
   * Where this server keeps the last position it saw (beside a PGlite data folder), so that a
   * folder copied back from a backup is noticed at start (src-server/sync/history.ts).
   */
  positionFile?: string;
  /** Serve HTTPS with this certificate and key (HTTP/1.1). */
  https?: { cert: Buffer; key: Buffer };
  /**
   * Behind a reverse proxy (nginx) on this machine: the client's address comes from the
   * X-Forwarded-For the proxy adds, so sign-in limits count per counter rather than per proxy.
   * Off by default: a counter could otherwise name any address it likes.
   */
  trustProxy?: boolean;
}

/**
 * Credentials never reach the log, whatever a handler or a future serializer puts in it: the
 * bearer token, the console's session cookie, and any password or token field of a logged object.
 */
const LOG_REDACTED = {
  paths: [
    'req.headers.authorization',
    'req.headers.cookie',
    'res.headers["set-cookie"]',
    'password',
    'currentPassword',
    'newPassword',
    'token',
    '*.password',
    '*.currentPassword',
    '*.newPassword',
    '*.token',
  ],
  censor: '[已隐去]',
};

/** The central server as a Fastify app; `listen` it or `inject` into it. */
export async function buildServerApp(options: ServerAppOptions): Promise<FastifyInstance> {
  // Shared schemas (the op shape) leave most messages to zod's defaults; people read them in Chinese.
  z.config(z.locales.zhCN());
  const bodyLimit = options.bodyLimit ?? 2 * 1024 * 1024;
  const ctx: ServerContext = {
    db: options.db,
    batches: new BatchCache(),
    notifier: new ChangeNotifier(),
    history: new HistoryGuard(options.positionFile ?? null),
    signInLimits: new SignInLimits({ ...DEFAULT_SIGN_IN_LIMITS, ...options.loginLimits }, options.now),
  };
  // Event streams never go idle; without forcing, close() would wait for every counter to hang up.
  const app = Fastify({
    logger: options.logger ? { redact: LOG_REDACTED, ...(options.logStream ? { stream: options.logStream } : {}) } : false,
    ...(options.https ? { https: options.https } : {}),
    // Only a proxy on this machine is believed; each hop it adds is read from the right, so a counter's own X-Forwarded-For is never taken.
    trustProxy: options.trustProxy ? ['127.0.0.1', '::1'] : false,
    bodyLimit,
    forceCloseConnections: true,
    // The router's own refusals (a malformed %-escape, an overlong path parameter) skip the error handler.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void reply
        .code(tooLong ? 414 : 400)
        .send(errorBody('bad_request', tooLong ? '请求地址过长' : '请求地址含有无法识别的编码，请检查地址'));
    },
  });
  // Every endpoint takes JSON; a text body should hear so (415), not fail validation as a string.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(handleError(bodyLimit));
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody('not_found', `没有这个接口：${request.method} ${request.url.split('?')[0]}`)),
  );
  registerServerMoveRoutes(app, ctx);
  registerAuthRoutes(app, ctx);
  registerSyncRoutes(app, ctx);
  registerIntegrationRoutes(app, ctx);
  registerConflictRoutes(app, ctx);
  registerUpdateRoutes(app, ctx.db);
  registerConsole(app, ctx, options.consoleDir);
  registerStudentPage(app, ctx, { ...(options.studentDir ? { dir: options.studentDir } : {}), ...(options.now ? { now: options.now } : {}) });

  // A database that came back from a backup while this process was away gets a new history before the first answer.
  ctx.notifier.committed(await ctx.history.check(ctx.db));
  const watcher = setInterval(() => {
    ctx.history.check(ctx.db).then(
      (now) => ctx.notifier.committed(now),
      (err: unknown) => app.log.warn({ err }, 'seq watch failed'),
    );
  }, options.watchIntervalMs ?? 1000);
  watcher.unref();
  app.addHook('onClose', async () => {
    clearInterval(watcher);
    ctx.history.flush();
  });
  return app;
}
