import { request } from 'node:http';

/**
 * The hostile inputs of the fuzz suites (issue 21): a table, not random, so a failure names
 * its case and the figure is the same on every run.
 */

export const HUNDRED_KB = 'x'.repeat(100 * 1024);

export const NASTY_STRINGS: readonly [string, string][] = [
  ['NUL', '证件\u0000损坏'],
  ['control chars', 'a\u0007b\u001bc\u0008'],
  ['DEL and C1', 'x\u007fy\u0085'],
  ['lone high surrogate', '钥匙\ud83d'],
  ['lone low surrogate', '\ude00尾'],
  ['100 KB', HUNDRED_KB],
  ['empty', ''],
  ['whitespace', ' \t\n '],
];

/** Nested objects `depth` deep. */
export function deep(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

export const NASTY_VALUES: readonly [string, unknown][] = [
  ...NASTY_STRINGS,
  ['2^53 + 2', 2 ** 53 + 2],
  ['1e308', 1e308],
  ['-1', -1],
  ['1.5', 1.5],
  ['0', 0],
  ['null', null],
  ['true', true],
  ['array', ['a', 1]],
  ['object', { x: 1 }],
  ['deep nesting', deep(500)],
];

export interface BodyCase {
  name: string;
  /** 'field': one value of a valid body replaced; 'body': the body as a whole is wrong. */
  kind?: 'field' | 'body';
  /** Raw request body; undefined sends none. */
  body: string | undefined;
  contentType: string | null;
}

type Json = Record<string, unknown>;

/** Every leaf path of a JSON object (array items included), for replacing one value at a time. */
function leafPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, [...prefix, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
  }
  return [prefix];
}

function replaced(base: Json, path: (string | number)[], value: unknown): Json {
  const copy = structuredClone(base);
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
  return copy;
}

const JSON_TYPE = 'application/json';

/**
 * The cases for a JSON endpoint whose valid body is `base`: each leaf replaced by each nasty
 * value (and removed), then whole-body cases: empty, not JSON, wrong JSON types, prototype keys,
 * numbers past 2^53 in the raw text, deep nesting, a body over `limitBytes`, wrong content types.
 */
export function bodyCases(base: Json, limitBytes: number): BodyCase[] {
  const cases: BodyCase[] = [];
  const json = (name: string, value: unknown) => cases.push({ name, kind: 'field', body: JSON.stringify(value), contentType: JSON_TYPE });
  for (const path of leafPaths(base)) {
    const at = path.join('.');
    for (const [name, value] of NASTY_VALUES) json(`${at} = ${name}`, replaced(base, path, value));
    json(`${at} missing`, replaced(base, path, undefined));
  }
  const raw = (name: string, body: string | undefined, contentType: string | null = JSON_TYPE) => cases.push({ name, kind: 'body', body, contentType });
  raw('no body', undefined);
  raw('empty body', '');
  raw('not JSON', '{"a":');
  raw('JSON null', 'null');
  raw('JSON array', '[]');
  raw('JSON string', '"text"');
  raw('JSON number', '42');
  raw('__proto__ key', `{"__proto__":{"admin":true},${JSON.stringify(base).slice(1)}`);
  raw('constructor key', `{"constructor":{"prototype":{"admin":true}},${JSON.stringify(base).slice(1)}`);
  raw('number past 2^53 in text', JSON.stringify(base).replace(/:(\d+)/g, ':123456789012345678901234567890'));
  raw('nesting 10,000 deep', `${'['.repeat(10_000)}${']'.repeat(10_000)}`);
  raw('unknown extra key', JSON.stringify({ ...base, extra: '\u0000' }));
  raw('body over the limit', JSON.stringify({ ...base, pad: 'x'.repeat(limitBytes + 1024) }));
  raw('text/plain', JSON.stringify(base), 'text/plain');
  raw('form encoded', 'a=1&b=2', 'application/x-www-form-urlencoded');
  raw('xml', '<a/>', 'application/xml');
  raw('multipart', '--x\r\n\r\n--x--', 'multipart/form-data; boundary=x');
  raw('json in utf-16 label', JSON.stringify(base), 'application/json; charset=utf-16');
  raw('no content type', JSON.stringify(base), null);
  return cases;
}

/** Odd query strings, appended to a path. */
export const ODD_QUERIES: readonly string[] = [
  '',
  '?',
  '?cursor=',
  '?cursor=-1',
  '?cursor=1.5',
  '?cursor=1e400',
  '?cursor=9007199254740993',
  '?cursor=123456789012345678901234567890',
  '?cursor=0x10',
  '?cursor=abc',
  '?cursor=%00',
  '?cursor=%ud83d',
  '?cursor=%ED%A0%BD',
  '?cursor=%ZZ',
  '?cursor[]=1',
  '?cursor=1&cursor=2',
  '?limit=0',
  '?limit=99999999',
  '?limit=NaN',
  '?cursor=0&limit=Infinity',
  '?__proto__=1',
  '?constructor=1',
  `?cursor=${'9'.repeat(5000)}`,
  '?%00=%00',
];

/** A message a person reads: at least one Chinese character. */
export const CHINESE = /[\u4e00-\u9fff]/;

export interface FuzzCase {
  name: string;
  method: string;
  path: string;
  c: BodyCase | null;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  body: string;
}

/** How a transport says no: the message a person reads, and whether it was an error of ours (5xx, `internal`). */
export interface Refusal {
  message: string;
  internal: boolean;
}

/** The figure per route: requests, how many were accepted, refused, and answered as our own error (must be 0). */
export interface Tally {
  requests: number;
  accepted: number;
  refused: number;
  '5xx or internal': number;
}

/** One raw HTTP request, sending exactly the bytes and headers of the case (fetch would add a content type). */
export function sendRaw(baseUrl: string, k: FuzzCase): Promise<Answer> {
  const { c } = k;
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...k.headers };
    if (c?.contentType) headers['content-type'] = c.contentType;
    const req = request({ host: url.hostname, port: url.port, method: k.method, path: k.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // The server may answer (413) and close before an oversized body is through.
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
    req.end(c?.body);
  });
}

/**
 * Sends every case and collects what breaks the rules instead of stopping at the first: an
 * answer that is our own error, a refusal without a Chinese message, a refusal that changed
 * the stored data (`fingerprint` before and after). `prepare` runs just before a case is sent.
 */
export async function runFuzz(options: {
  baseUrl: string;
  cases: FuzzCase[];
  refusal: (answer: Answer) => Refusal | null;
  fingerprint: () => Promise<string> | string;
  prepare?: (c: BodyCase) => Promise<BodyCase> | BodyCase;
}): Promise<{ tally: Tally; problems: string[] }> {
  const tally: Tally = { requests: 0, accepted: 0, refused: 0, '5xx or internal': 0 };
  const problems: string[] = [];
  let last = await options.fingerprint();
  for (const k of options.cases) {
    const c = k.c && options.prepare ? await options.prepare(k.c) : k.c;
    const answer = await sendRaw(options.baseUrl, { ...k, c });
    tally.requests += 1;
    const now = await options.fingerprint();
    const refusal = options.refusal(answer);
    if (refusal === null) {
      tally.accepted += 1;
    } else {
      tally.refused += 1;
      if (refusal.internal) {
        tally['5xx or internal'] += 1;
        problems.push(`${k.name}: ${answer.status} ${answer.body.slice(0, 200)}`);
      }
      if (!CHINESE.test(refusal.message)) problems.push(`${k.name}: ${answer.status} without a Chinese message: ${answer.body.slice(0, 200)}`);
      if (now !== last) problems.push(`${k.name}: refused but changed the stored data`);
    }
    last = now;
  }
  return { tally, problems };
}

/** The `error.message` of a JSON answer, or '' when there is none. */
export function errorMessage(body: string): { message: string; code: string } {
  try {
    const { error } = JSON.parse(body) as { error?: { message?: unknown; code?: unknown } };
    return { message: typeof error?.message === 'string' ? error.message : '', code: typeof error?.code === 'string' ? error.code : '' };
  } catch {
    return { message: '', code: '' };
  }
}
