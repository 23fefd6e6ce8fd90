import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { ServerTrust } from './server-trust';

/** The server presented a certificate other than the one pinned at setup. */
export class CertificateMismatchError extends Error {
  constructor(
    readonly pinned: string,
    readonly presented: string,
  ) {
    super(`certificate ${presented} is not the pinned ${pinned}`);
    this.name = 'CertificateMismatchError';
  }
}

/** OpenSSL's and Node's codes for a certificate that could not be verified. */
const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The verification code of a certificate refusal; null for any other failure. */
export function certificateErrorCode(e: unknown): string | null {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code && CERTIFICATE_ERRORS.has(code) ? code : null;
}

export interface TransportInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

function tlsOptions(url: URL): ConnectionOptions {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // SNI carries DNS names only (RFC 6066); for an address the certificate is checked against the IP SAN.
  return { host, port: Number(url.port || 443), ...(isIP(host) ? {} : { servername: host }), ALPNProtocols: ['http/1.1'] };
}

/**
 * A TLS connection handed to the request only once the server's certificate is accepted, so not
 * one byte (a password, a token) goes to a server that fails the check.
 */
function connectTrusted(url: URL, trust: Exclude<ServerTrust, { kind: 'loopback' }>, done: (err: Error | null, socket?: Duplex) => void): void {
  const socket: TLSSocket =
    trust.kind === 'ca'
      ? tlsConnect({ ...tlsOptions(url), ca: trust.ca, rejectUnauthorized: true })
      : tlsConnect({ ...tlsOptions(url), rejectUnauthorized: false });
  const onError = (e: Error) => done(e);
  socket.once('error', onError);
  socket.once('secureConnect', () => {
    socket.off('error', onError);
    if (trust.kind === 'pinned') {
      const presented = socket.getPeerCertificate().fingerprint256;
      if (presented !== trust.fingerprint) {
        socket.destroy();
        done(new CertificateMismatchError(trust.fingerprint, presented));
        return;
      }
    }
    done(null, socket);
  });
}

/** fetch() over HTTPS with this counter's trust: a pinned certificate or a campus CA. */
function httpsFetch(url: URL, init: TransportInit, trust: Exclude<ServerTrust, { kind: 'loopback' }>): Promise<Response> {
  return new Promise((resolve, reject) => {
    if (init.signal.aborted) return reject(init.signal.reason);
    const options: RequestOptions = {
      method: init.method,
      headers: { ...init.headers, ...(init.body !== undefined ? { 'content-length': String(Buffer.byteLength(init.body)) } : {}) },
      createConnection: ((_: unknown, oncreate: (err: Error | null, socket?: Duplex) => void) => {
        connectTrusted(url, trust, oncreate);
        return undefined;
      }) as unknown as RequestOptions['createConnection'],
    };
    const req = httpsRequest(url, options);
    const abort = () => req.destroy(init.signal.reason);
    init.signal.addEventListener('abort', abort, { once: true });
    req.once('error', (e) => reject(init.signal.aborted ? init.signal.reason : e));
    req.once('close', () => init.signal.removeEventListener('abort', abort));
    req.once('response', (res) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        for (const one of value === undefined ? [] : [value].flat()) headers.append(name, one);
      }
      const status = res.statusCode ?? 502;
      const noBody = status === 204 || status === 304 || init.method === 'HEAD';
      if (noBody) res.resume();
      const body = noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
      resolve(new Response(body, { status, statusText: res.statusMessage, headers }));
    });
    req.end(init.body);
  });
}

/** The server's answer, over plain HTTP to this machine or HTTPS checked against the trust. */
export function serverFetch(url: string, init: TransportInit, trust: ServerTrust): Promise<Response> {
  if (trust.kind === 'loopback') return fetch(url, init);
  return httpsFetch(new URL(url), init, trust);
}

export interface PresentedCertificate {
  /** SHA-256 of the certificate, colon-separated upper-case hex, as `npm run admin -- tls-fingerprint` prints it. */
  fingerprint: string;
  /** Verified against the given CA (chain and host name); false without a CA. */
  verified: boolean;
  /** Why the CA did not verify it (OpenSSL's code); null when verified or without a CA. */
  verifyError: string | null;
}

/** Connects without sending anything and reports the certificate the server presents. */
export function presentedCertificate(origin: string, signal: AbortSignal, ca?: string): Promise<PresentedCertificate> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ ...tlsOptions(url), rejectUnauthorized: false, ...(ca ? { ca } : {}) });
    const abort = () => socket.destroy(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    socket.once('error', (e) => {
      signal.removeEventListener('abort', abort);
      reject(signal.aborted ? signal.reason : e);
    });
    socket.once('secureConnect', () => {
      signal.removeEventListener('abort', abort);
      const cert = socket.getPeerCertificate();
      let verifyError: string | null = null;
      if (ca) {
        if (!socket.authorized) verifyError = String(socket.authorizationError);
        else verifyError = (checkServerIdentity(tlsOptions(url).host!, cert) as NodeJS.ErrnoException | undefined)?.code ?? null;
      }
      socket.end();
      resolve({ fingerprint: cert.fingerprint256, verified: ca !== undefined && verifyError === null, verifyError });
    });
  });
}
