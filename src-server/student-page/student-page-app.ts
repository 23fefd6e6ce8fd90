import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../http/context';
import { registerStaticApp } from '../http/static-app';
import { studentAuthApp } from '../student-auth/app';
import { studentSignInLimits } from '../student-auth/student-limits';
import { studentStatusApp } from '../student-status/app';
import { registerSlipRoute } from '../student-slip/slip-route';
import type { StudentContext, StudentHandlers } from './handler-map';
import { registerStudentRoutes } from './student-routes';

/** Where `npm run build` puts the student page (vite.student.config.ts). */
export const DEFAULT_STUDENT_DIR = fileURLToPath(new URL('../../out/student', import.meta.url));

/** The student page at /student/: each domain's handler map, composed here, behind one router. */
export function registerStudentPage(app: FastifyInstance, server: ServerContext, options: { dir?: string; now?: () => Date } = {}): void {
  const ctx: StudentContext = { server, limits: studentSignInLimits(options.now) };
  const handlers: StudentHandlers = {
    ...studentAuthApp(ctx),
    ...studentStatusApp(ctx),
  };
  registerStudentRoutes(app, ctx, handlers);
  registerSlipRoute(app, ctx);
  registerStaticApp(app, {
    mount: '/student',
    dir: options.dir ?? DEFAULT_STUDENT_DIR,
    notBuilt: '学生离校查询页面尚未构建：请在项目目录运行 npm run build 后重新启动服务器',
  });
}
