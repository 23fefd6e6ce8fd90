import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseSlipPayload, slipPayload, slipVerificationCode, type HmacSha256 } from '../../src-shared/domain/slip-code';
import { ApiError } from '../../src-shared/contract/counter-api';
import type { Slip, SlipVerdict } from '../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../src-shared/i18n/report.zh-CN';
import type { Replica } from '../db/open';
import { studentDetail } from '../counter/detail';
import { currentSession } from '../counter/session';
import { standingText } from '../../src-shared/i18n/zh-CN';

/**
 * 离校单: one student's whole clearance on a page, with a QR code a desk can scan back. The
 * code (src-shared/domain/slip-code.ts) uses the 身份证号 hash key (kept beside the replica,
 * id-key-store.ts), which comes from the server when a replica mirrors a server batch, so slips
 * printed at one counter, or downloaded by a student from the server, verify at every counter
 * of the same deployment.
 */

function slipKeyHex(replica: Replica): string {
  const key = replica.idKeys.read(replica.path);
  if (!key) throw new ApiError('internal', t.errors.noSlipKey);
  return key;
}

const hmacSha256: HmacSha256 = (key, message) => createHmac('sha256', key).update(message).digest();

export function verificationCode(replica: Replica, studentNo: string): string {
  return slipVerificationCode(hmacSha256, slipKeyHex(replica), replica.batch.def.id, studentNo);
}

export function studentSlip(replica: Replica, studentNo: string, now: Date): Slip {
  const session = currentSession(replica);
  const detail = studentDetail(replica, session, studentNo);
  if (detail.standing.kind !== 'own') throw new ApiError('refused', t.errors.slipNotOwn(standingText(detail.standing)));
  const { def } = replica.batch;
  const code = verificationCode(replica, studentNo);
  const { flags: _flags, ...student } = detail.student;
  return {
    university: def.university,
    batch: { id: def.id, name: def.name },
    student,
    checkpoints: detail.record.map((cp) => ({
      name: cp.name,
      steps: cp.steps.map((s) => ({
        name: s.name,
        required: s.required,
        status: s.status,
        note: s.note,
        updatedAt: s.updatedAt,
        updatedBy: s.updatedBy,
      })),
    })),
    complete: detail.complete,
    generatedAt: now.toISOString(),
    operator: session.operator,
    deviceId: session.deviceId,
    qrPayload: slipPayload(def.id, studentNo, code),
    verificationCode: code,
  };
}

export function verifySlip(replica: Replica, text: string): SlipVerdict {
  const payload = parseSlipPayload(text);
  const none = { studentNo: null, student: null, completeNow: null };
  if (!payload) return { verdict: 'malformed', ...none };
  const studentNo = payload.studentNo;
  if (payload.batch !== replica.batch.def.id) return { verdict: 'other_batch', ...none, studentNo };
  const expected = Buffer.from(verificationCode(replica, studentNo));
  const given = Buffer.from(payload.v.toUpperCase());
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { verdict: 'mismatch', ...none, studentNo };
  const exists = replica.sqlite.prepare('select 1 from students where student_no = ?').get(studentNo);
  if (!exists) return { verdict: 'unknown_student', ...none, studentNo };
  const detail = studentDetail(replica, currentSession(replica), studentNo);
  const { name, college, className } = detail.student;
  return { verdict: 'valid', studentNo, student: { name, college, className }, completeNow: detail.complete };
}
