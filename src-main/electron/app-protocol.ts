import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { contentTypeOf, resolveInside } from '../host/static-files';
import { APP_ORIGIN, APP_SCHEME } from './launch-settings';

/**
 * The renderer is served from app://counter/, a standard, secure scheme of its own: the page
 * gets a real origin that navigation, IPC and permission checks can name, and file:// pages
 * (anything on disk) get none of them. Must be declared before the app is ready.
 */
export function declareAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);
}

export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.origin === APP_ORIGIN ? resolveInside(rendererDir, url.pathname) : null;
    if (!file) return new Response('not found', { status: 404 });
    try {
      return new Response(await readFile(file), { headers: { 'content-type': contentTypeOf(file) } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}
