import type Database from 'better-sqlite3';
import { DEFAULT_DESK_SETTINGS, deskSettingsSchema, type DeskSettings } from '../../src-shared/contract/desk-api';
import { readMeta, writeMeta } from '../db/meta';

/**
 * 柜台设置 live in the replica (meta `deskSettings`): they belong to this counter, survive a
 * restart and an update, and do not depend on which browser or port shows the screen. A value
 * that does not parse (written by a later build, or damaged) falls back to the defaults as a
 * whole rather than a mixture.
 */
export function readDeskSettings(sqlite: Database.Database): DeskSettings {
  const stored = readMeta(sqlite, 'deskSettings');
  if (stored === null) return DEFAULT_DESK_SETTINGS;
  try {
    const parsed = deskSettingsSchema.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : DEFAULT_DESK_SETTINGS;
  } catch {
    return DEFAULT_DESK_SETTINGS;
  }
}

/** The whole record at once (validated by the contract before it gets here): nothing is half-saved. */
export function writeDeskSettings(sqlite: Database.Database, settings: DeskSettings): void {
  writeMeta(sqlite, 'deskSettings', JSON.stringify(settings));
}
