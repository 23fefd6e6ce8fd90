import type { ReportHeader } from '../../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../../src-shared/i18n/report.zh-CN';
import { formatPercent, formatStamp } from '../format';

/** "YYYY-MM-DD" of today on this machine: the day a report opens on. */
export function todayLocal(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** "HH:mm:ss" of an ISO instant on this machine. */
export function formatTime(iso: string): string {
  return formatStamp(iso).slice(11);
}

export function formatRate(rate: number | null, passed: number, total: number): string {
  return rate === null ? '—' : formatPercent(passed, total);
}

export function syncLine(header: ReportHeader): string {
  const at = header.lastSyncAt ? formatStamp(header.lastSyncAt) : null;
  if (header.unsyncedChanges > 0) return t.doc.unsynced(header.unsyncedChanges, at);
  return at ? t.doc.synced(at) : t.doc.neverSynced;
}

export function collegesLine(header: ReportHeader): string {
  return header.colleges === 'all' ? t.allColleges : header.colleges.join('、');
}
