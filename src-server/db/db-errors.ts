/**
 * Tells apart what a database error means for the request that caused it. drizzle wraps the
 * driver's error (node-postgres and PGlite both carry the SQLSTATE in `code`) as `cause`.
 *
 * - 'data': the values sent cannot be stored (class 22, data exception: a number out of range,
 *   text PostgreSQL refuses; class 54, a value too large for an index). The sender's fault:
 *   refuse it with a 4xx, or refuse the one op.
 * - 'unavailable': the database could not answer now (connection lost, serialization failure,
 *   deadlock, shutting down, out of resources). Nobody's fault: 503, the client retries.
 */
export type DbErrorKind = 'data' | 'unavailable';

const UNAVAILABLE_STATES = new Set(['40001', '40P01', '55P03', '57P01', '57P02', '57P03']);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);

function codes(error: unknown): { sqlState: string | null; nodeCode: string | null; message: string } {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return { sqlState: code, nodeCode: null, message: e.message };
    if (typeof code === 'string' && code.startsWith('E')) return { sqlState: null, nodeCode: code, message: e.message };
    // drizzle's wrapper repeats the query and its parameters, which may hold any text a client sent.
    const own = !e.message.startsWith('Failed query');
    if (own && /Connection terminated|connection is closed|PGlite is closed/i.test(e.message)) {
      return { sqlState: null, nodeCode: 'ECONNRESET', message: e.message };
    }
    e = e.cause;
  }
  return { sqlState: null, nodeCode: null, message: error instanceof Error ? error.message : String(error) };
}

export function dbErrorKind(error: unknown): DbErrorKind | null {
  const { sqlState, nodeCode } = codes(error);
  if (nodeCode && UNAVAILABLE_NODE_CODES.has(nodeCode)) return 'unavailable';
  if (!sqlState) return null;
  const cls = sqlState.slice(0, 2);
  if (cls === '22' || cls === '54') return 'data';
  if (cls === '08' || cls === '53' || UNAVAILABLE_STATES.has(sqlState)) return 'unavailable';
  return null;
}

/** The database's own words about a data error, for the Chinese reason around it. */
export function dbErrorDetail(error: unknown): string {
  return codes(error).message.split('\n')[0]!.slice(0, 200);
}
