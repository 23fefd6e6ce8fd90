import type { FastifyRequest } from 'fastify';
import type { ConsoleAccount, ConsoleMethod, ConsoleParsedInput, ConsoleResults } from '../../src-shared/contract/console-api';
import type { ServerContext } from '../http/context';
import type { ProgressCache } from '../progress/progress-cache';

/** What the console's domains share: the server's context and the dashboard's cache. */
export interface ConsoleContext {
  server: ServerContext;
  progress: ProgressCache;
}

/** One call: who made it (null only on public methods), the request, and the session cookie. */
export interface ConsoleCall {
  account: ConsoleAccount | null;
  request: FastifyRequest;
  /** The session token of this call's cookie, if any. */
  sessionToken: string | null;
  setSessionCookie(token: string, maxAgeSeconds: number): void;
  clearSessionCookie(): void;
}

export type ConsoleHandler<M extends ConsoleMethod> = (input: ConsoleParsedInput<M>, call: ConsoleCall) => Promise<ConsoleResults[M]>;

/** A domain's handlers (src-server/<domain>/app.ts), typed by the shared contract. */
export type HandlerMap<M extends ConsoleMethod> = { [K in M]: ConsoleHandler<K> };

/** Every console method, handled exactly once: composing the domains' maps checks both. */
export type ConsoleHandlers = HandlerMap<ConsoleMethod>;

/** Signed-in account of a call whose route is not public (the router has checked it). */
export function signedIn(call: ConsoleCall): ConsoleAccount {
  if (!call.account) throw new Error('a signed-in route was called without an account');
  return call.account;
}
