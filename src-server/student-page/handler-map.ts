import type { FastifyRequest } from 'fastify';
import type { StudentMethod, StudentParsedInput, StudentResults } from '../../src-shared/contract/student-api';
import type { SignInLimits } from '../auth/sign-in-limits';
import type { ServerContext } from '../http/context';
import type { StudentRef } from '../student-auth/sessions';

/** What the student page's domains share. */
export interface StudentContext {
  server: ServerContext;
  /** Wrong sign-ins per 学号 (src-server/student-auth/student-limits.ts), apart from the operators'. */
  limits: SignInLimits;
}

/** One call: whose session it carries (null only on public methods), the request, the cookie. */
export interface StudentCall {
  student: StudentRef | null;
  request: FastifyRequest;
  sessionToken: string | null;
  setSessionCookie(token: string, maxAgeSeconds: number): void;
  clearSessionCookie(): void;
}

export type StudentHandler<M extends StudentMethod> = (input: StudentParsedInput<M>, call: StudentCall) => Promise<StudentResults[M]>;

/** A domain's handlers, typed by the shared contract; composing them checks every method is handled once. */
export type StudentHandlerMap<M extends StudentMethod> = { [K in M]: StudentHandler<K> };
export type StudentHandlers = StudentHandlerMap<StudentMethod>;

/** The student of a call whose route is not public (the router has checked it). */
export function signedInStudent(call: StudentCall): StudentRef {
  if (!call.student) throw new Error('a signed-in route was called without a student');
  return call.student;
}
