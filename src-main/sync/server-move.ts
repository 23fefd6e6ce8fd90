import { ApiError } from '../../src-shared/contract/counter-api';
import type { DeskStateDto } from '../../src-shared/contract/desk-api';
import { deskText } from '../../src-shared/i18n/desk.zh-CN';
import { syncText } from '../../src-shared/i18n/sync.zh-CN';
import { readMeta } from '../db/meta';
import type { Replica } from '../db/open';
import type { DeviceTokenStore } from './device-token-store';
import { SyncError, SyncHttp } from './server-http';
import { readServerTrust, ServerAddressError } from './server-trust';
import { setupTrust, type CertificateChoice } from './setup-trust';
import { serverOf, tokenLost, type SyncClient } from './sync-client';

const t = deskText.move;
/** Like setup's probe: a wrong address should say so soon. */
const MOVE_TIMEOUT_MS = 8000;

/** The server as 柜台设置 shows it. */
export function deskServer(replica: Replica): DeskStateDto['server'] {
  const url = readMeta(replica.sqlite, 'serverUrl');
  if (url === null) return null;
  const trust = readServerTrust(replica.sqlite);
  return {
    url,
    check: trust?.kind === 'pinned' ? 'fingerprint' : trust?.kind === 'ca' ? 'ca' : 'loopback',
    fingerprint: trust?.kind === 'pinned' ? trust.fingerprint : null,
    identityKnown: readMeta(replica.sqlite, 'serverIdentity') !== null,
  };
}

export interface MoveServerInput extends CertificateChoice {
  serverUrl: string;
  operatorNo: string;
  password: string;
}

function addressOf(input: MoveServerInput) {
  try {
    return setupTrust(input.serverUrl, input);
  } catch (e) {
    if (e instanceof ServerAddressError) throw new ApiError('bad_input', e.message);
    throw e;
  }
}

/**
 * Points this counter at a new address of the same server: the certificate is checked as at
 * setup (the fingerprint the operator compared, or the campus CA), the server there must tell
 * the identity this counter recorded before the device token goes anywhere, and a 管理员 signs in
 * there to allow it. Only then are the address and the trust written (one transaction) and sync
 * goes on from the outbox as it stands: unsent ops go to the new address, each once (the server
 * keeps every opId), and a refusal at any step leaves everything as it was.
 */
export async function moveServer(replica: Replica, sync: SyncClient | null, tokens: DeviceTokenStore, input: MoveServerInput): Promise<void> {
  const server = serverOf(replica, tokens);
  if (!server || !sync) throw new ApiError('refused', tokenLost(replica, tokens) ? syncText.tokenLost : t.standalone);
  const known = readMeta(replica.sqlite, 'serverIdentity');
  if (known === null) throw new ApiError('refused', t.identityUnknown);
  const { origin, trust } = addressOf(input);
  if (origin === server.serverUrl && JSON.stringify(trust) === JSON.stringify(server.trust ?? { kind: 'loopback' })) {
    throw new ApiError('refused', t.sameAddress(origin));
  }
  const api = new SyncHttp(origin, null, { trust, timeoutMs: MOVE_TIMEOUT_MS });
  let presented: string;
  try {
    presented = (await api.health()).server.id;
  } catch (e) {
    if (e instanceof SyncError) throw new ApiError('refused', t.unreachable(e.message));
    throw e;
  }
  if (presented !== known) throw new ApiError('refused', t.otherServer(origin, presented, known));
  try {
    const consent = await api.withToken(server.token).serverMove({ operatorNo: input.operatorNo, password: input.password, serverUrl: origin });
    if (consent.server.id !== known) throw new ApiError('refused', t.otherServer(origin, consent.server.id, known));
  } catch (e) {
    if (e instanceof SyncError) {
      const code = e.status === 401 ? 'unauthorized' : e.status === 403 ? 'forbidden' : 'refused';
      throw new ApiError(code, t.refused(e.message));
    }
    throw e;
  }
  await sync.moveTo({ serverUrl: origin, token: server.token, trust });
}
