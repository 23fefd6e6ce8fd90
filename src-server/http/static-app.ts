import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { errorBody } from './http-error';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.json': 'application/json; charset=utf-8',
};

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export interface StaticApp {
  /** Where it is served, e.g. "/console" (its API lives under `${mount}/api/`). */
  mount: string;
  /** The folder `npm run build` wrote it to. */
  dir: string;
  /** What to answer (503) while it has not been built. */
  notBuilt: string;
}

/**
 * A web app's built files (vite build into out/<name>) at `${mount}/`. Paths without a file get
 * index.html, so a reload on a screen's address works. Nothing outside the folder is served.
 */
export function registerStaticApp(app: FastifyInstance, { mount, dir, notBuilt }: StaticApp): void {
  const root = resolve(dir);
  app.get(mount, async (_request, reply) => reply.redirect(`${mount}/`));
  app.get(`${mount}/*`, async (request, reply) => {
    const wanted = (request.params as { '*': string })['*'];
    if (wanted.startsWith('api/')) return reply.code(404).send(errorBody('not_found', `没有这个接口：GET ${request.url.split('?')[0]}`));
    const candidate = normalize(join(root, wanted));
    const inside = candidate === root || candidate.startsWith(root + sep);
    // A path out of the folder is nobody's page, built or not.
    if (!inside) return reply.code(404).send(errorBody('not_found', `没有这个页面：GET ${request.url.split('?')[0]}`));
    const index = join(root, 'index.html');
    if (!existsSync(index)) {
      return reply.code(503).type('text/plain; charset=utf-8').send(notBuilt);
    }
    const file = inside && wanted !== '' && existsSync(candidate) && extname(candidate) !== '' ? candidate : index;
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    // Hashed asset names never change content; index.html must always be re-read.
    const cache = file === index ? 'no-cache' : 'public, max-age=31536000, immutable';
    return reply
      .type(type)
      .header('cache-control', cache)
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .send(await readFile(file));
  });
}
