import type Database from 'better-sqlite3';
import { rosterScopeSchema } from '../../src-shared/contract/sync';
import type { RosterScope } from '../../src-shared/domain/roster-scope';
import { readMeta, writeMeta } from './meta';

/**
 * The roster scope of the snapshot the replica was built or last merged from. A pull that
 * reports another scope (an operator of the device gained or lost a grant, or was disabled)
 * makes the counter merge a fresh snapshot, which also drops the students it may no longer hold.
 */
export function readStoredScope(sqlite: Database.Database): RosterScope | null {
  const stored = readMeta(sqlite, 'rosterScope');
  if (!stored) return null;
  const parsed = rosterScopeSchema.safeParse(JSON.parse(stored));
  return parsed.success ? parsed.data : null;
}

export function writeStoredScope(sqlite: Database.Database, scope: RosterScope): void {
  writeMeta(sqlite, 'rosterScope', JSON.stringify(scope));
}

/** Whether the server's scope differs from the stored one; a replica of an older build has none stored and takes one snapshot to learn it. */
export function scopeDiffers(sqlite: Database.Database, scope: RosterScope): boolean {
  const stored = readStoredScope(sqlite);
  if (!stored) return true;
  if (stored.all || scope.all) return stored.all !== scope.all;
  return JSON.stringify([...stored.colleges].sort()) !== JSON.stringify([...scope.colleges].sort());
}
