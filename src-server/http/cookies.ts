import type { FastifyRequest } from 'fastify';

export function cookieValue(request: FastifyRequest, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=') || null;
  }
  return null;
}

/**
 * A session cookie for one web app's path. Strict same-site plus JSON-only bodies: another
 * site's page cannot make a signed-in browser call the API.
 */
export function sessionCookie(request: FastifyRequest, name: string, path: string, value: string, maxAge: number): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `${name}=${value}; Path=${path}; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`;
}
