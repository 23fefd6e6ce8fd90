import { readFileSync } from 'node:fs';
import { ApiError } from '../../src-shared/contract/counter-api';
import type { SetupProbeDto } from '../../src-shared/contract/sync-api';
import { syncText } from '../../src-shared/i18n/sync.zh-CN';
import { SyncError, transportError } from './server-http';
import { presentedCertificate } from './server-transport';
import { normaliseFingerprint, serverOrigin, type ServerTrust } from './server-trust';

const t = syncText.setup;
const PROBE_TIMEOUT_MS = 8000;

/** How the operator chose to trust the server at setup: the fingerprint they compared, or a campus CA file. */
export interface CertificateChoice {
  pin?: string;
  caFile?: string;
}

function readCaFile(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch {
    throw new ApiError('bad_input', t.caUnreadable(path));
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new ApiError('bad_input', t.caNotPem(path));
  return pem;
}

function blankToUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** The origin and the trust setup stores; refuses HTTPS without a compared fingerprint or a CA. */
export function setupTrust(serverUrl: string, choice: CertificateChoice): { origin: string; trust: ServerTrust } {
  const origin = serverOrigin(serverUrl);
  if (origin.startsWith('http:')) return { origin, trust: { kind: 'loopback' } };
  const caFile = blankToUndefined(choice.caFile);
  if (caFile) return { origin, trust: { kind: 'ca', ca: readCaFile(caFile) } };
  const pin = blankToUndefined(choice.pin);
  if (!pin) throw new ApiError('refused', syncText.certificateNotConfirmed);
  const fingerprint = normaliseFingerprint(pin);
  if (!fingerprint) throw new ApiError('bad_input', syncText.certificate.badFingerprint);
  return { origin, trust: { kind: 'pinned', fingerprint } };
}

/** The certificate a server presents now, without sending it anything; a connection failure says why in Chinese. */
export async function certificateOf(origin: string, ca?: string): Promise<{ fingerprint: string; verifyError: string | null }> {
  try {
    return await presentedCertificate(origin, AbortSignal.timeout(PROBE_TIMEOUT_MS), ca);
  } catch (e) {
    if ((e as Error).name === 'TimeoutError') throw new SyncError(syncText.timeout(origin, PROBE_TIMEOUT_MS / 1000), null);
    throw transportError(origin, e);
  }
}

/** Setup's first step: what the screen shows before any password is sent. */
export async function probeServer(serverUrl: string, caFileInput?: string): Promise<SetupProbeDto> {
  const origin = serverOrigin(serverUrl);
  if (origin.startsWith('http:')) return { serverUrl: origin, check: 'loopback', fingerprint: null };
  const caFile = blankToUndefined(caFileInput);
  const ca = caFile ? readCaFile(caFile) : undefined;
  const presented = await certificateOf(origin, ca);
  if (ca && presented.verifyError) throw new ApiError('refused', t.caRefused(presented.verifyError));
  return { serverUrl: origin, check: ca ? 'ca' : 'fingerprint', fingerprint: presented.fingerprint };
}
