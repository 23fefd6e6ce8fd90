import { ApiError } from '../../src-shared/contract/counter-api';
import type { LoginResponse, OperatorSession } from '../../src-shared/contract/sync';
import type { Grant } from '../../src-shared/domain/actions';
import { syncText } from '../../src-shared/i18n/sync.zh-CN';
import { AttemptLimiter } from '../../src-shared/auth/attempt-limiter';
import { rosterScope, scopeCovers } from '../../src-shared/domain/roster-scope';
import { checkKnownOperator, knownGrants, passwordRecord, rememberOperator } from '../db/known-operators';
import type { Replica } from '../db/open';
import { readSession, validateSession, writeSession, type ReplicaSession } from '../db/session-store';
import type { DeviceTokenStore } from './device-token-store';
import { markResnapshotNeeded } from './roster-merge';
import { SyncError } from './server-http';
import { serverApi, serverOf, tokenLost } from './sync-client';

const t = syncText.signIn;
/** Shorter than sync's own: at a shift change a dead network should lead to the offline check soon. */
const SIGN_IN_TIMEOUT_MS = 8000;
/** The server's rule (docs/sync-protocol.md), kept for the offline check too: 5 wrong passwords lock a 工号 for 15 minutes. */
const OFFLINE_FAILURES = 5;
const OFFLINE_LOCKOUT_MS = 15 * 60_000;

/** Wrong offline passwords per 工号, for one counter back end; in memory, like the server's. */
export function offlineAttemptLimiter(now?: () => number): AttemptLimiter {
  return new AttemptLimiter(OFFLINE_FAILURES, OFFLINE_LOCKOUT_MS, now);
}

export interface SignInInput {
  operatorNo: string;
  password: string;
}

export interface SignedIn {
  session: ReplicaSession;
  /** The server could not be reached; the password was checked against this counter's record. */
  offline: boolean;
  /** The server answered `resnapshot`: the merge is now pending for the sync client. */
  resnapshot: boolean;
}

/**
 * 换人登录 on the existing replica: the operator signs in with the device's token, which also
 * admits them to the device on the server, so their ops are accepted and their grants widen
 * the roster. The session becomes theirs (grants of this batch only), keeping the checkpoint
 * when they hold it too. Any refusal leaves the session as it was. Without the device token
 * the server cannot be asked as this counter, so the shift changes as it does offline.
 */
export async function signInOperator(
  replica: Replica,
  tokens: DeviceTokenStore,
  input: SignInInput,
  now: () => Date,
  offlineAttempts: AttemptLimiter,
): Promise<SignedIn> {
  const server = serverOf(replica, tokens);
  if (!server && tokenLost(replica, tokens)) return signInOffline(replica, input, offlineAttempts);
  if (!server) throw new ApiError('refused', t.standalone);
  let answer: LoginResponse;
  try {
    answer = await serverApi(server, SIGN_IN_TIMEOUT_MS).login(input);
  } catch (e) {
    if (e instanceof SyncError && e.status === null) return signInOffline(replica, input, offlineAttempts);
    if (e instanceof SyncError) throw new ApiError(e.status === 401 ? 'unauthorized' : e.status === 403 ? 'forbidden' : 'refused', e.message);
    throw e;
  }
  const grants = grantsInBatch(replica, answer.grants);
  // Slow on purpose (scrypt), so it runs before the write transaction, not inside it.
  const passwordHash = await passwordRecord(input.password);
  const { sqlite } = replica;
  const signedIn = sqlite
    .transaction(() => {
      const resnapshot = answer.resnapshot || widensRoster(replica, grants);
      const next = nextSession(replica, answer.operator, grants, answer.session);
      writeSession(sqlite, next);
      rememberOperator(sqlite, { operator: answer.operator, grants }, { passwordHash, passwordVersion: answer.passwordVersion }, now().toISOString());
      if (resnapshot) markResnapshotNeeded(sqlite);
      return { next, resnapshot };
    })
    .immediate();
  return { session: signedIn.next, offline: false, resnapshot: signedIn.resnapshot };
}

/** Only someone who signed in here before, with the password and grants of that sign-in. */
async function signInOffline(replica: Replica, input: SignInInput, attempts: AttemptLimiter): Promise<SignedIn> {
  const wait = attempts.retryAfter(input.operatorNo);
  if (wait > 0) throw new ApiError('refused', t.offlineLocked(Math.ceil(wait / 60_000)));
  const check = await checkKnownOperator(replica.sqlite, input.operatorNo, input.password);
  if (!check.ok) {
    if (check.reason === 'unknown') throw new ApiError('refused', t.neverHere(input.operatorNo));
    attempts.record(input.operatorNo);
    throw new ApiError('unauthorized', t.wrongOffline);
  }
  attempts.reset(input.operatorNo);
  const grants = grantsInBatch(replica, check.known.grants);
  const { sqlite } = replica;
  const session = sqlite
    .transaction(() => {
      const next = nextSession(replica, check.known.operator, grants, null);
      writeSession(sqlite, next);
      return next;
    })
    .immediate();
  return { session, offline: true, resnapshot: false };
}

/**
 * The server says `resnapshot` only when it admits the operator, once. Had the counter stopped
 * between that answer and this transaction, the next sign-in would hear nothing of it: so the
 * counter also compares with the operators it has recorded (the same set the server admitted).
 */
function widensRoster(replica: Replica, grants: Grant[]): boolean {
  const { batch, sqlite } = replica;
  const admitted = [...readSession(sqlite, batch).grants, ...knownGrants(sqlite)];
  return !scopeCovers(rosterScope(batch, admitted), rosterScope(batch, [...admitted, ...grants]));
}

function grantsInBatch(replica: Replica, grants: readonly Grant[]): Grant[] {
  const inBatch = grants.filter((g) => replica.batch.hasCheckpoint(g.checkpointId));
  if (inBatch.length === 0) throw new ApiError('forbidden', t.noGrantInBatch(replica.batch.def.name));
  return inBatch;
}

/** Read inside the write transaction: the checkpoint may have been switched while the login was under way. */
function nextSession(replica: Replica, operator: { id: string; name: string }, grants: Grant[], serverSession: OperatorSession | null): ReplicaSession {
  const current = readSession(replica.sqlite, replica.batch);
  const keep = grants.some((g) => g.checkpointId === current.checkpointId);
  return validateSession(replica.batch, {
    deviceId: current.deviceId,
    operator,
    grants,
    checkpointId: keep ? current.checkpointId : (grants[0] as Grant).checkpointId,
    serverSession,
  });
}
