import type { BatchIndex } from './batch';
import type { Grant } from './actions';

/** Which students a device replicates: all of them, or those of some colleges. */
export type RosterScope = { all: true } | { all: false; colleges: string[] };

/**
 * The union of what the device's operators may act on. A school-wide checkpoint, or a college
 * checkpoint granted for every college, covers the whole roster.
 */
export function rosterScope(batch: BatchIndex, grants: Grant[]): RosterScope {
  const colleges = new Set<string>();
  for (const grant of grants) {
    if (!batch.hasCheckpoint(grant.checkpointId)) continue;
    if (batch.checkpoint(grant.checkpointId).scope === 'school' || grant.colleges === 'all') return { all: true };
    for (const c of grant.colleges) colleges.add(c);
  }
  return { all: false, colleges: [...colleges].sort() };
}

/** Whether `wider` covers everything `narrower` does. */
export function scopeCovers(wider: RosterScope, narrower: RosterScope): boolean {
  if (wider.all) return true;
  if (narrower.all) return false;
  return narrower.colleges.every((c) => wider.colleges.includes(c));
}

/** Whether a student of this college is within the scope (the device's own, not another college's). */
export function scopeCoversCollege(scope: RosterScope, college: string): boolean {
  return scope.all || scope.colleges.includes(college);
}
