import { isIP } from 'node:net';
import { z } from 'zod';
import { syncText } from '../../src-shared/i18n/sync.zh-CN';
import { deleteMeta, readMeta, writeMeta } from '../db/meta';
import type Database from 'better-sqlite3';

/**
 * Why this counter believes it talks to its own server. Plain HTTP only to this machine (the
 * demo); otherwise HTTPS with either the certificate's SHA-256 fingerprint the operator compared
 * at setup (trust on first use) or a campus CA's certificate.
 */
export const serverTrustSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('loopback') }),
  z.object({ kind: z.literal('pinned'), fingerprint: z.string() }),
  z.object({ kind: z.literal('ca'), ca: z.string() }),
]);
export type ServerTrust = z.infer<typeof serverTrustSchema>;

export class ServerAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerAddressError';
  }
}

/** 127.0.0.0/8, ::1 and localhost: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/**
 * What an operator types, as an origin: without a scheme it is HTTPS ("10.0.0.5:8787" becomes
 * "https://10.0.0.5:8787"); plain http:// is refused unless the server is on this machine.
 */
export function serverOrigin(input: string): string {
  const trimmed = input.trim().replace(/\/+$/, '');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ServerAddressError(syncText.badServerUrl(input));
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ServerAddressError(syncText.badServerUrl(input));
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) throw new ServerAddressError(syncText.plainHttpRefused(url.origin));
  return url.origin;
}

/** The trust a stored origin goes with: loopback HTTP needs none, HTTPS needs what setup stored. */
export function trustFor(origin: string, stored: ServerTrust | null): ServerTrust {
  const url = new URL(origin);
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) throw new ServerAddressError(syncText.plainHttpRefused(origin));
    return { kind: 'loopback' };
  }
  if (!stored || stored.kind === 'loopback') throw new ServerAddressError(syncText.certificateNotConfirmed);
  return stored;
}

/** "ab:cd…" or "ABCD…" as the colon-separated upper-case hex Node and openssl print. */
export function normaliseFingerprint(input: string): string | null {
  const hex = input.replace(/[\s:]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return hex.match(/../g)!.join(':');
}

export function readServerTrust(sqlite: Database.Database): ServerTrust | null {
  const text = readMeta(sqlite, 'serverTrust');
  if (text === null) return null;
  const parsed = serverTrustSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

export function writeServerTrust(sqlite: Database.Database, trust: ServerTrust): void {
  if (trust.kind === 'loopback') deleteMeta(sqlite, 'serverTrust');
  else writeMeta(sqlite, 'serverTrust', JSON.stringify(trust));
}
