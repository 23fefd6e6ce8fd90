import { RESTORE_LOSSES_SHOWN, type RestoreNoticeDto } from '../../src-shared/contract/sync-api';
import type { Replica } from '../db/open';
import { undismissedRestore } from '../db/server-history';
import { stepName } from './outbox-view';

/** The banner's facts: the newest restore not dismissed, its losses named for the operator. */
export function restoreNotice(replica: Replica): RestoreNoticeDto | null {
  const record = undismissedRestore(replica.sqlite);
  if (!record) return null;
  return {
    historyId: record.historyId,
    backupOf: record.backupOf,
    noticedAt: record.noticedAt,
    count: record.losses.length,
    losses: record.losses.slice(0, RESTORE_LOSSES_SHOWN).map((l) => ({
      studentNo: l.studentNo,
      studentName: l.studentName,
      stepId: l.stepId,
      stepName: stepName(replica, l.stepId),
      change: l.change,
      note: l.note,
      byName: l.byName,
      at: l.at,
    })),
  };
}
