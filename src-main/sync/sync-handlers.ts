import { ApiError, type SignInResult } from '../../src-shared/contract/counter-api';
import type { RescueUploadedDto, RescueWrittenDto, SetupStateDto, SyncConflictsDto, SyncStatusDto } from '../../src-shared/contract/sync-api';
import { parseRescueFile, UnreadableRescueFile, type RescueFile } from '../../src-shared/contract/rescue';
import { syncText } from '../../src-shared/i18n/sync.zh-CN';
import { visibleText } from '../../src-shared/contract/text-rule';
import type { RepairedOriginal } from '../db/outbox-repair';
import type { Replica } from '../db/open';
import { currentSession, toSessionDto } from '../counter/session';
import type { DeviceTokenStore } from './device-token-store';
import { signInOperator, type SignInInput } from './operator-sign-in';
import type { AttemptLimiter } from '../../src-shared/auth/attempt-limiter';
import { resnapshotNeeded } from './roster-merge';
import { dismissRestore } from '../db/server-history';
import { outboxOpView, stepName, type OutboxOpRow } from './outbox-view';
import { SyncError } from './server-http';
import { normaliseFingerprint } from './server-trust';
import { storedStatus, tokenLost, type SyncClient } from './sync-client';
import { NoRescueFile, writeRescueFile } from './rescue-file';

/** The fields a repair changed, as they were: 备注：证件[U+0000]损坏. */
function describeRepair(op: OutboxOpRow): string {
  const original = JSON.parse(op.repaired_from!) as RepairedOriginal;
  const now: RepairedOriginal = {
    operatorId: op.operator_id,
    studentNo: op.student_no,
    stepId: op.step_id,
    note: (JSON.parse(op.args) as { note: string }).note,
    clientTime: op.client_time,
  };
  return (Object.keys(original) as (keyof RepairedOriginal)[])
    .filter((key) => original[key] !== now[key])
    .map((key) => `${syncText.panel.field[key]}：${visibleText(original[key])}`)
    .join('；');
}

/** Conflict records (every counter of the scope has them) and this counter's ops the server refused. */
export function syncConflicts(replica: Replica): SyncConflictsDto {
  const { sqlite } = replica;
  const nameOf = sqlite.prepare('select name from students where student_no = ?');
  const ownOp = sqlite.prepare('select * from outbox where op_id = ?');
  const studentName = (no: string) => (nameOf.get(no) as { name: string } | undefined)?.name ?? null;
  const describe = (opId: string) => {
    const op = ownOp.get(opId) as OutboxOpRow | undefined;
    if (!op) return { opId, local: false, kind: null, operatorId: null, clientTime: null, note: null };
    return { opId, local: true, kind: op.kind, operatorId: op.operator_id, clientTime: op.client_time, note: (JSON.parse(op.args) as { note: string }).note };
  };
  const conflicts = (
    sqlite.prepare('select * from conflicts order by resolved, id desc').all() as {
      id: number;
      kind: 'pass_revoke' | 'prerequisite_revoked';
      student_no: string;
      step_id: string;
      winning_op_id: string | null;
      flagged_op_id: string;
      detail: string;
      resolved: number;
    }[]
  ).map((c) => ({
    id: c.id,
    kind: c.kind,
    studentNo: c.student_no,
    studentName: studentName(c.student_no),
    stepId: c.step_id,
    stepName: stepName(replica, c.step_id),
    detail: c.detail,
    resolved: c.resolved === 1,
    winning: c.winning_op_id ? describe(c.winning_op_id) : null,
    flagged: describe(c.flagged_op_id),
  }));
  const view = outboxOpView(replica);
  const rejected = (sqlite.prepare("select * from outbox where outcome = 'rejected' order by device_seq desc").all() as OutboxOpRow[]).map((op) => ({
    ...view(op),
    reason: op.outcome_reason ?? '',
  }));
  const repaired = (sqlite.prepare('select * from outbox where repaired_from is not null order by device_seq desc').all() as OutboxOpRow[]).map((op) => ({
    ...view(op),
    original: describeRepair(op),
    sent: op.acked_at !== null,
  }));
  return { conflicts, rejected, repaired };
}

const SETUP_DONE: SetupStateDto = { needed: false, progress: null, error: null, damaged: null };

/**
 * 换人登录, then, when the operator widened the roster, the merge of the new snapshot (one sync
 * round) before answering, so the dialog can show its progress and the new students are there
 * when it closes. A merge that fails stays pending and the sync client retries it.
 */
async function signIn(
  replica: Replica,
  sync: SyncClient | null,
  tokens: DeviceTokenStore,
  input: SignInInput,
  now: () => Date,
  offlineAttempts: AttemptLimiter,
): Promise<SignInResult> {
  const signedIn = await signInOperator(replica, tokens, input, now, offlineAttempts);
  const result: SignInResult = { session: toSessionDto(replica, signedIn.session), offline: signedIn.offline, roster: 'unchanged', rosterError: null };
  if (!signedIn.resnapshot) return result;
  let rosterError: string | null = null;
  await sync?.sync().catch((e: unknown) => {
    rosterError = e instanceof SyncError ? e.message : syncText.localFailure((e as Error).message);
  });
  if (!resnapshotNeeded(replica.sqlite)) return { ...result, roster: 'merged' };
  return { ...result, roster: 'pending', rosterError };
}

/** The sync and setup methods of a counter that has its replica. */
export function syncHandlers(
  replica: Replica,
  sync: SyncClient | null,
  now: () => Date,
  tokens: DeviceTokenStore,
  /** Wrong offline passwords per 工号, shared with the lock screen's unlock. */
  offlineAttempts: AttemptLimiter,
) {
  return {
    'sync.status': (): SyncStatusDto => sync?.status() ?? storedStatus(replica, now(), tokens),
    'sync.conflicts': (): SyncConflictsDto => syncConflicts(replica),
    'sync.resolveConflict': async ({ id }: { id: number }): Promise<SyncConflictsDto> => {
      if (!sync) throw new ApiError('refused', tokenLost(replica, tokens) ? syncText.tokenLost : syncText.notConfigured);
      try {
        await sync.resolveConflict(id, currentSession(replica).operator.id);
      } catch (e) {
        if (e instanceof SyncError) throw new ApiError(e.status === 403 ? 'forbidden' : 'refused', e.message);
        throw e;
      }
      return syncConflicts(replica);
    },
    'sync.dismissRestore': ({ historyId }: { historyId: string }): SyncStatusDto => {
      if (sync) return sync.dismissRestore(historyId);
      dismissRestore(replica.sqlite, historyId, now().toISOString());
      return storedStatus(replica, now(), tokens);
    },
    'sync.trustCertificate': async ({ fingerprint }: { fingerprint: string }): Promise<SyncStatusDto> => {
      if (!sync) throw new ApiError('refused', tokenLost(replica, tokens) ? syncText.tokenLost : syncText.notConfigured);
      const pinned = normaliseFingerprint(fingerprint);
      if (!pinned) throw new ApiError('bad_input', syncText.certificate.badFingerprint);
      try {
        await sync.trustCertificate(pinned);
      } catch (e) {
        if (e instanceof SyncError) throw new ApiError('refused', e.message);
        throw e;
      }
      return sync.status();
    },
    'sync.writeRescue': async (): Promise<RescueWrittenDto> => {
      try {
        return await writeRescueFile(replica.path, now());
      } catch (e) {
        if (e instanceof NoRescueFile) throw new ApiError('refused', e.message);
        throw e;
      }
    },
    'sync.uploadRescue': async ({ fileName, content }: { fileName: string; content: string }): Promise<RescueUploadedDto> => {
      if (!sync) throw new ApiError('refused', tokenLost(replica, tokens) ? syncText.tokenLost : syncText.rescue.uploadStandalone);
      let rescue: RescueFile;
      try {
        rescue = parseRescueFile(content);
      } catch (e) {
        if (e instanceof UnreadableRescueFile) throw new ApiError('bad_input', syncText.rescue.unreadable(fileName, e.message));
        throw e;
      }
      try {
        const { results: _results, ...summary } = await sync.uploadRescue(rescue);
        return summary;
      } catch (e) {
        if (e instanceof SyncError) throw new ApiError(e.status === 403 ? 'forbidden' : 'refused', e.message);
        throw e;
      }
    },
    'setup.probe': (): never => {
      throw new ApiError('refused', syncText.replicaExists(replica.path));
    },
    'session.signIn': (input: SignInInput): Promise<SignInResult> => signIn(replica, sync, tokens, input, now, offlineAttempts),
    'setup.state': (): SetupStateDto => SETUP_DONE,
    'setup.login': (): never => {
      throw new ApiError('refused', syncText.replicaExists(replica.path));
    },
    'setup.start': (): never => {
      throw new ApiError('refused', syncText.replicaExists(replica.path));
    },
  };
}
