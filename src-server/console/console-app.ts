import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../http/context';
import { ProgressCache } from '../progress/progress-cache';
import { consoleAuthApp } from '../console-auth/app';
import { progressApp } from '../progress/app';
import { operatorsApp } from '../operators/app';
import { rostersApp } from '../rosters/app';
import type { ConsoleContext, ConsoleHandlers } from './handler-map';
import { registerConsoleRoutes } from './console-routes';
import { registerStaticApp } from '../http/static-app';

/** Where `npm run build` puts the console (vite.console.config.ts). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../out/console', import.meta.url));

/** The campus console: each domain's handler map, composed here, behind one router. */
export function registerConsole(app: FastifyInstance, server: ServerContext, consoleDir = DEFAULT_CONSOLE_DIR): void {
  const ctx: ConsoleContext = { server, progress: new ProgressCache() };
  const handlers: ConsoleHandlers = {
    ...consoleAuthApp(ctx),
    ...progressApp(ctx),
    ...operatorsApp(ctx),
    ...rostersApp(ctx),
  };
  registerConsoleRoutes(app, ctx, handlers);
  registerStaticApp(app, { mount: '/console', dir: consoleDir, notBuilt: '管理控制台尚未构建：请在项目目录运行 npm run build 后重新启动服务器' });
}
