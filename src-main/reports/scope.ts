import { ApiError } from '../../src-shared/contract/counter-api';
import type { ReportHeader } from '../../src-shared/contract/report-api';
import { checkpointDisplayName } from '../../src-shared/domain/batch';
import type { CheckpointDef } from '../../src-shared/domain/types';
import { reportZhCN as t } from '../../src-shared/i18n/report.zh-CN';
import type { Replica } from '../db/open';
import type { ReplicaSession } from '../db/session-store';
import { currentSession } from '../counter/session';
import { OWN_STUDENT } from '../counter/student-store';
import { systemTimeZone } from './time';

export interface ReportScopeInput {
  checkpointId?: string | undefined;
  college?: string | undefined;
  timeZone?: string | undefined;
}

/** What one report covers: a checkpoint the operator holds and the colleges within it. */
export interface ReportScope {
  session: ReplicaSession;
  checkpoint: CheckpointDef;
  colleges: 'all' | string[];
  /**
   * The session as stats.checkpoint should see it for this report: the one checkpoint, with
   * the grant narrowed to the chosen college. Reusing stats through it keeps the numbers equal.
   */
  statsSession: ReplicaSession;
  timeZone: string;
}

export function placeholders(ids: readonly unknown[]): string {
  return ids.map(() => '?').join(', ');
}

export function resolveScope(replica: Replica, input: ReportScopeInput): ReportScope {
  const session = currentSession(replica);
  const checkpointId = input.checkpointId ?? session.checkpointId;
  if (!replica.batch.hasCheckpoint(checkpointId)) throw new ApiError('not_found', t.errors.unknownCheckpoint(checkpointId));
  const checkpoint = replica.batch.checkpoint(checkpointId);
  const grant = session.grants.find((g) => g.checkpointId === checkpointId);
  if (!grant) throw new ApiError('forbidden', t.errors.notGranted(checkpoint.name));
  let colleges: 'all' | string[] = checkpoint.scope === 'school' ? 'all' : grant.colleges;
  if (input.college !== undefined) {
    if (checkpoint.scope === 'school') throw new ApiError('bad_input', t.errors.collegeOnSchoolCheckpoint(checkpoint.name));
    if (grant.colleges !== 'all' && !grant.colleges.includes(input.college)) {
      throw new ApiError('forbidden', t.errors.collegeNotGranted(input.college));
    }
    colleges = [input.college];
  }
  return {
    session,
    checkpoint,
    colleges,
    statsSession: { ...session, checkpointId, grants: [{ checkpointId, colleges }] },
    timeZone: input.timeZone ?? systemTimeZone(),
  };
}

/**
 * An SQL condition on the students row aliased `s`: the counter's own students (a withdrawn or
 * moved-out student is in no report) of the report's colleges.
 */
export function reportedStudents(scope: ReportScope): { text: string; params: string[] } {
  if (scope.colleges === 'all') return { text: OWN_STUDENT, params: [] };
  return { text: `${OWN_STUDENT} and s.college in (${placeholders(scope.colleges)})`, params: scope.colleges };
}

export function checkpointName(scope: ReportScope): string {
  const only = scope.colleges !== 'all' && scope.colleges.length === 1 ? scope.colleges[0] : undefined;
  return only ? checkpointDisplayName(scope.checkpoint, { college: only }) : scope.checkpoint.name;
}

export function reportHeader(replica: Replica, scope: ReportScope, date: string, now: Date): ReportHeader {
  const { def } = replica.batch;
  const unsynced = replica.sqlite.prepare('select count(*) as n from outbox where acked_at is null').get() as { n: number };
  const sync = replica.sqlite.prepare('select last_push_at as push, last_pull_at as pull from sync_state').get() as
    | { push: string | null; pull: string | null }
    | undefined;
  const times = [sync?.push, sync?.pull].filter((x): x is string => typeof x === 'string').sort();
  return {
    university: def.university,
    batch: { id: def.id, name: def.name },
    checkpoint: { id: scope.checkpoint.id, name: checkpointName(scope), scope: scope.checkpoint.scope },
    colleges: scope.colleges,
    date,
    timeZone: scope.timeZone,
    generatedAt: now.toISOString(),
    operator: scope.session.operator,
    deviceId: scope.session.deviceId,
    unsyncedChanges: unsynced.n,
    lastSyncAt: times.at(-1) ?? null,
  };
}
