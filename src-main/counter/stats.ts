import type { Stats, StatsLine } from '../../src-shared/contract/counter-api';
import { checkpointDisplayName } from '../../src-shared/domain/batch';
import type { Replica } from '../db/open';
import type { ReplicaSession } from '../db/session-store';
import { grantFor } from './session';
import { statsCache, type ScopedLine } from './stats-cache';

/**
 * stats.checkpoint. 应离校人数 counts the students a checkpoint or step applies to (a step stored
 * as 'na' does not apply); 往届 are counted apart. "Unfinished" follows the batch's completion
 * rule: under 办结必办 only required steps count. The counts come from StatsCache, which follows
 * every write at the cost of re-reading the students it touched.
 */

function toLine(id: string, name: string, counts: ScopedLine): StatsLine {
  return { id, name, ...counts };
}

export function checkpointStats(replica: Replica, session: ReplicaSession, now: Date): Stats {
  const checkpoint = replica.batch.checkpoint(session.checkpointId);
  const grant = grantFor(session, checkpoint.id);
  // A college checkpoint's operator sees their own colleges only.
  const colleges = checkpoint.scope === 'school' || !grant ? ('all' as const) : grant.colleges;
  const counts = statsCache(replica).counts(checkpoint.id, colleges);
  const onlyCollege = grant && grant.colleges !== 'all' && grant.colleges.length === 1 ? grant.colleges[0] : undefined;
  return {
    school: counts.school,
    checkpoint: toLine(
      checkpoint.id,
      onlyCollege ? checkpointDisplayName(checkpoint, { college: onlyCollege }) : checkpoint.name,
      counts.checkpoint,
    ),
    steps: checkpoint.steps.map((step) => toLine(step.id, step.name, counts.steps.get(step.id)!)),
    computedAt: now.toISOString(),
  };
}
