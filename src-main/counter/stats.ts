import type { Stats, StatsLine } from '../../src-shared/contract/counter-api';
import { checkpointDisplayName } from '../../src-shared/domain/batch';
import type { StepDef } from '../../src-shared/domain/types';
import type { Replica } from '../db/open';
import type { ReplicaSession } from '../db/session-store';
import type { SqlCondition } from './checkpoint-progress';
import { grantFor } from './session';

/**
 * stats.checkpoint as SQL aggregates. 应离校人数 counts the students a checkpoint or step applies
 * to (a step stored as 'na' does not apply); 往届 are counted apart. "Unfinished" follows the
 * batch's completion rule: under 办结必办 only required steps count.
 */

interface CountRow {
  is_previous: number;
  total: number;
  unfinished: number;
}

function placeholders(ids: readonly string[]): string {
  return ids.map(() => '?').join(', ');
}

function toLine(id: string, name: string, rows: CountRow[]): StatsLine {
  const current = rows.find((r) => r.is_previous === 0);
  const previous = rows.find((r) => r.is_previous === 1);
  return {
    id,
    name,
    total: current?.total ?? 0,
    unfinished: current?.unfinished ?? 0,
    previousTotal: previous?.total ?? 0,
    previousUnfinished: previous?.unfinished ?? 0,
  };
}

/** A college checkpoint's operator sees their own colleges only. */
function scopeCondition(replica: Replica, session: ReplicaSession): SqlCondition {
  const checkpoint = replica.batch.checkpoint(session.checkpointId);
  const grant = grantFor(session, checkpoint.id);
  if (checkpoint.scope === 'school' || !grant || grant.colleges === 'all') return { text: '1', params: [] };
  return { text: `s.college in (${placeholders(grant.colleges)})`, params: grant.colleges };
}

export function checkpointStats(replica: Replica, session: ReplicaSession, now: Date): Stats {
  const { batch, sqlite } = replica;
  const checkpoint = batch.checkpoint(session.checkpointId);
  const counted = (steps: StepDef[]) => steps.filter((s) => batch.def.completionRule === 'all' || s.required).map((s) => s.id);
  const scope = scopeCondition(replica, session);

  const schoolSteps = counted(batch.steps.map((r) => r.step));
  const school = sqlite
    .prepare(
      `select count(*) as total,
              coalesce(sum(exists (select 1 from step_states u where u.student_no = s.student_no
                and u.step_id in (${placeholders(schoolSteps)}) and u.status in ('pending', 'rejected'))), 0) as unfinished
       from students s where s.is_previous = 0`,
    )
    .get(...schoolSteps) as { total: number; unfinished: number };

  const allIds = checkpoint.steps.map((s) => s.id);
  const countedIds = counted(checkpoint.steps);
  const checkpointRows = sqlite
    .prepare(
      `select s.is_previous, count(*) as total,
              coalesce(sum(exists (select 1 from step_states u where u.student_no = s.student_no
                and u.step_id in (${placeholders(countedIds)}) and u.status in ('pending', 'rejected'))), 0) as unfinished
       from students s
       where exists (select 1 from step_states a where a.student_no = s.student_no
                       and a.step_id in (${placeholders(allIds)}) and a.status <> 'na')
         and (${scope.text})
       group by s.is_previous`,
    )
    .all(...countedIds, ...allIds, ...scope.params) as CountRow[];

  const stepRows = sqlite
    .prepare(
      `select st.step_id, s.is_previous, count(*) as total, sum(st.status in ('pending', 'rejected')) as unfinished
       from step_states st join students s on s.student_no = st.student_no
       where st.step_id in (${placeholders(allIds)}) and st.status <> 'na' and (${scope.text})
       group by st.step_id, s.is_previous`,
    )
    .all(...allIds, ...scope.params) as (CountRow & { step_id: string })[];

  const grant = grantFor(session, checkpoint.id);
  const onlyCollege = grant && grant.colleges !== 'all' && grant.colleges.length === 1 ? grant.colleges[0] : undefined;
  return {
    school,
    checkpoint: toLine(
      checkpoint.id,
      onlyCollege ? checkpointDisplayName(checkpoint, { college: onlyCollege }) : checkpoint.name,
      checkpointRows,
    ),
    steps: checkpoint.steps.map((step) => toLine(step.id, step.name, stepRows.filter((r) => r.step_id === step.id))),
    computedAt: now.toISOString(),
  };
}
