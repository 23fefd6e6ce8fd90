import semver from 'semver';
import type { UpdateStatusDto } from '../../src-shared/contract/update-api';
import { updateText } from '../../src-shared/i18n/update.zh-CN';

/**
 * When the counter checks, downloads, offers and installs an update, as plain decisions: the
 * Electron wiring (src-main/electron/updater.ts) only carries them out. Never a downgrade, never
 * a restart while an operation runs, and a failed download never stops the counter.
 */

/** The first check waits until start-up work (opening the replica, the first sync) is done. */
export const FIRST_CHECK_DELAY_MS = 2 * 60_000;
/** Then every few hours: a fix published at 9:00 reaches every counter before the afternoon. */
export const CHECK_INTERVAL_MS = 3 * 60 * 60_000;

export type UpdaterEvent =
  | { type: 'checking' }
  | { type: 'available'; version: string }
  | { type: 'not-available' }
  | { type: 'progress'; percent: number }
  | { type: 'downloaded'; version: string }
  | { type: 'error'; message: string };

/** What is running when the operator asks for 重启更新. */
export interface Activity {
  /** Counter API calls not yet answered: a confirm, a batch, an import being written. */
  callsInFlight: number;
  rosterMerge: boolean;
  setupDownloading: boolean;
}

export function isUpgrade(current: string | null, offered: string): boolean {
  return current !== null && semver.valid(current) !== null && semver.valid(offered) !== null && semver.gt(offered, current);
}

export function initialStatus(currentVersion: string): UpdateStatusDto {
  return { phase: 'idle', currentVersion, version: null, percent: null, error: null };
}

export function nextStatus(status: UpdateStatusDto, event: UpdaterEvent): UpdateStatusDto {
  // A downloaded update stays ready: later checks, or their failures, do not take it away.
  if (status.phase === 'ready' && event.type !== 'downloaded') return status;
  switch (event.type) {
    case 'checking':
      return status.phase === 'downloading' ? status : { ...status, phase: 'checking', error: null };
    case 'available':
      if (!isUpgrade(status.currentVersion, event.version)) return { ...status, phase: 'idle', version: null, percent: null };
      return { ...status, phase: 'downloading', version: event.version, percent: 0, error: null };
    case 'not-available':
      return { ...status, phase: 'idle', version: null, percent: null };
    case 'progress':
      return status.phase === 'downloading' ? { ...status, percent: Math.max(0, Math.min(100, event.percent)) } : status;
    case 'downloaded':
      if (!isUpgrade(status.currentVersion, event.version)) return { ...status, phase: 'idle', version: null, percent: null };
      return { ...status, phase: 'ready', version: event.version, percent: 100, error: null };
    case 'error':
      return { ...status, phase: 'failed', version: null, percent: null, error: `${updateText.failed}：${event.message}` };
  }
}

/** Null when 重启更新 may go ahead now; otherwise the reason, for the operator. */
export function installRefusal(status: UpdateStatusDto, activity: Activity): string | null {
  if (status.phase !== 'ready') return updateText.notReady;
  if (activity.callsInFlight > 0) return updateText.busy.call;
  if (activity.rosterMerge) return updateText.busy.rosterMerge;
  if (activity.setupDownloading) return updateText.busy.setup;
  return null;
}
