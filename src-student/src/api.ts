import {
  STUDENT_API_PREFIX,
  STUDENT_EVENTS_PATH,
  type StudentInput,
  type StudentMethod,
  type StudentResults,
} from '../../src-shared/contract/student-api';
import { studentText } from '../../src-shared/i18n/student.zh-CN';

/** A refusal from the server (its Chinese message) or a network failure, with the HTTP status (0 = none). */
export class StudentError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'StudentError';
  }
}

/** POST /student/api/<method>; the session cookie rides along (same origin). */
export async function call<M extends StudentMethod>(method: M, input: StudentInput<M>): Promise<StudentResults[M]> {
  let res: Response;
  try {
    res = await fetch(`${STUDENT_API_PREFIX}${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
      credentials: 'same-origin',
    });
  } catch {
    throw new StudentError(studentText.errors.network, 0);
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
    throw new StudentError(typeof message === 'string' ? message : studentText.errors.unexpected, res.status);
  }
  return body as StudentResults[M];
}

/**
 * Calls `onChange` whenever the server's seq moves (a counter synced, a feed wrote). The browser's
 * EventSource reconnects by itself; `onLink` says whether the stream is up.
 */
export function watchChanges(onChange: () => void, onLink: (live: boolean) => void): () => void {
  const source = new EventSource(STUDENT_EVENTS_PATH, { withCredentials: true });
  source.addEventListener('changed', () => onChange());
  source.onopen = () => onLink(true);
  source.onerror = () => onLink(false);
  return () => source.close();
}
