import type { ConflictRow, OpRow, StateRow, StudentRow, WaiverRow } from '../../src-shared/contract/sync';
import { scopeCoversCollege, type RosterScope } from '../../src-shared/domain/roster-scope';
import type { conflicts, ops, stepStates, students, waivers } from '../db/schema';

/** Database rows as the sync protocol spells them (src-shared/contract/sync.ts). */

/** A student row as the device with this roster scope sees it. */
export function studentRow(r: typeof students.$inferSelect, scope: RosterScope): StudentRow {
  return {
    type: 'student',
    seq: r.seq,
    studentNo: r.studentNo,
    name: r.name,
    gender: r.gender,
    college: r.college,
    major: r.major,
    className: r.className,
    dorm: r.dorm,
    idCardMasked: r.idMasked,
    idHash: r.idHash,
    idLast6: r.idLast6,
    isPrevious: r.isPrevious,
    flags: r.flags,
    inScope: scopeCoversCollege(scope, r.college),
    withdrawnReason: r.withdrawnReason,
  };
}

export function stateRow(r: typeof stepStates.$inferSelect): StateRow {
  return {
    type: 'state',
    seq: r.seq,
    studentNo: r.studentNo,
    stepId: r.stepId,
    status: r.status,
    note: r.note,
    version: r.version,
    updatedAt: r.updatedAt,
    updatedBy: r.updatedBy,
    updatedByName: r.updatedByName,
    lastOpId: r.lastOpId,
  };
}

export function waiverRow(r: typeof waivers.$inferSelect): WaiverRow {
  return {
    type: 'waiver',
    seq: r.seq,
    studentNo: r.studentNo,
    stepId: r.stepId,
    lifted: r.lifted,
    version: r.version,
    note: r.note,
    updatedAt: r.updatedAt,
    updatedBy: r.updatedBy,
    lastOpId: r.lastOpId,
  };
}

export function conflictRow(r: typeof conflicts.$inferSelect): ConflictRow {
  return {
    type: 'conflict',
    seq: r.seq,
    id: r.id,
    kind: r.kind,
    studentNo: r.studentNo,
    stepId: r.stepId,
    winningOpId: r.winningOpId,
    flaggedOpId: r.flaggedOpId,
    detail: r.detail,
    resolved: r.resolved,
    resolvedBy: r.resolvedBy,
    resolvedAt: r.resolvedAt,
  };
}

export function opRow(r: typeof ops.$inferSelect): OpRow {
  return {
    type: 'op',
    seq: r.seq,
    opId: r.opId,
    deviceSeq: r.deviceSeq,
    outcome: r.outcome,
    applied: r.applied,
    reason: r.reason,
    conflictId: r.conflictId,
    version: r.resultVersion,
  };
}
