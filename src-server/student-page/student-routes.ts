import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  STUDENT_API_PREFIX,
  STUDENT_EVENTS_PATH,
  STUDENT_SESSION_COOKIE,
  studentRoutes,
  type StudentMethod,
} from '../../src-shared/contract/student-api';
import { cookieValue, sessionCookie } from '../http/cookies';
import { HttpError, parseInput } from '../http/http-error';
import { streamSeqChanges } from '../http/seq-events';
import { sessionStudent, type StudentRef } from '../student-auth/sessions';
import type { StudentCall, StudentContext, StudentHandlers } from './handler-map';

const COOKIE_PATH = '/student';

/** The student a request's cookie signs in as; 401 without a live session. */
export async function requireStudent(ctx: StudentContext, request: FastifyRequest): Promise<StudentRef> {
  const token = cookieValue(request, STUDENT_SESSION_COOKIE);
  const student = token ? await sessionStudent(ctx.server.db, token) : null;
  if (!student) throw new HttpError(401, 'unauthorized', '未登录或登录已过期，请重新登录');
  return student;
}

/**
 * One POST route per student method. A signed-in method learns whose data to read from the
 * session alone: no route takes a 学号 after sign-in, so no student can ask for another's.
 */
export function registerStudentRoutes(app: FastifyInstance, ctx: StudentContext, handlers: StudentHandlers): void {
  for (const method of Object.keys(studentRoutes) as StudentMethod[]) {
    const route = studentRoutes[method];
    const handler = handlers[method] as (input: unknown, call: StudentCall) => Promise<unknown>;
    app.post(`${STUDENT_API_PREFIX}${method}`, async (request, reply: FastifyReply) => {
      const student = route.access === 'public' ? null : await requireStudent(ctx, request);
      const input = parseInput(route.input, request.body, '请求');
      reply.header('cache-control', 'no-store');
      return handler(input, {
        student,
        request,
        sessionToken: cookieValue(request, STUDENT_SESSION_COOKIE),
        setSessionCookie: (value, maxAge) => void reply.header('set-cookie', sessionCookie(request, STUDENT_SESSION_COOKIE, COOKIE_PATH, value, maxAge)),
        clearSessionCookie: () => void reply.header('set-cookie', sessionCookie(request, STUDENT_SESSION_COOKIE, COOKIE_PATH, '', 0)),
      });
    });
  }

  /**
   * "changed" with the global seq at once and after every commit; the page then re-reads its
   * own status. The seq says nothing about whose rows moved, so it tells a student nothing.
   */
  app.get(STUDENT_EVENTS_PATH, async (request, reply) => {
    await requireStudent(ctx, request);
    await streamSeqChanges(ctx.server, request, reply);
  });
}
