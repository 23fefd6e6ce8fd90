import {
  CONSOLE_API_PREFIX,
  CONSOLE_EVENTS_PATH,
  type ConsoleInput,
  type ConsoleMethod,
  type ConsoleResults,
} from '../../src-shared/contract/console-api';
import { consoleText } from '../../src-shared/i18n/console.zh-CN';

/** A refusal from the server (its Chinese message) or a network failure, with the HTTP status (0 = none). */
export class ConsoleError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ConsoleError';
  }
}

/** POST /console/api/<method>; the session cookie rides along (same origin). */
export async function call<M extends ConsoleMethod>(method: M, input: ConsoleInput<M>): Promise<ConsoleResults[M]> {
  let res: Response;
  try {
    res = await fetch(`${CONSOLE_API_PREFIX}${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
      credentials: 'same-origin',
    });
  } catch {
    throw new ConsoleError(consoleText.errors.network, 0);
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
    throw new ConsoleError(typeof message === 'string' ? message : consoleText.errors.unexpected, res.status);
  }
  return body as ConsoleResults[M];
}

/**
 * Calls `onChange` whenever the server's seq moves (counters synced, an import landed). The
 * browser's EventSource reconnects by itself; `onLink` says whether the stream is up.
 */
export function watchChanges(onChange: (seq: number) => void, onLink: (live: boolean) => void): () => void {
  const source = new EventSource(CONSOLE_EVENTS_PATH, { withCredentials: true });
  source.addEventListener('changed', (event) => {
    const seq = (JSON.parse((event as MessageEvent<string>).data) as { seq: number }).seq;
    onChange(seq);
  });
  source.onopen = () => onLink(true);
  source.onerror = () => onLink(false);
  return () => source.close();
}
