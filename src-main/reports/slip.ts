import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../../src-shared/contract/counter-api';
import type { Slip, SlipVerdict } from '../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../src-shared/i18n/report.zh-CN';
import type { Replica } from '../db/open';
import { studentDetail } from '../counter/detail';
import { currentSession } from '../counter/session';
import { standingText } from '../../src-shared/i18n/zh-CN';

/**
 * 离校单: one student's whole clearance on a page, with a QR code a desk can scan back. The
 * code is an HMAC of the batch and 学号 under a key derived from the replica's 身份证号 hash key
 * (kept beside the replica, id-key-store.ts). That key comes from the server when a replica mirrors a server batch, so a slip printed at one
 * counter verifies at every other counter of the same deployment, and nobody without the key
 * can make a slip that verifies.
 */

const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const CODE_LENGTH = 8;

function slipKey(replica: Replica): Buffer {
  const key = replica.idKeys.read(replica.path);
  if (!key) throw new ApiError('internal', t.errors.noSlipKey);
  // A key of its own, so a verification code reveals nothing about the 身份证号 hashes.
  return createHmac('sha256', Buffer.from(key, 'hex')).update('lixiao-slip-v1').digest();
}

/** 8 characters of 32 unambiguous symbols: 40 bits, and easy to read aloud or type. */
export function verificationCode(replica: Replica, studentNo: string): string {
  const mac = createHmac('sha256', slipKey(replica)).update(`${replica.batch.def.id}\n${studentNo}`).digest();
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[(mac[i] ?? 0) % CODE_ALPHABET.length];
  return code;
}

/** JSON whose `studentNo` the counter's scanner already reads, so the slip also opens the student. */
export function slipPayload(batchId: string, studentNo: string, code: string): string {
  return JSON.stringify({ studentNo, batch: batchId, v: code });
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

function parsePayload(text: string): { studentNo: string; batch: string; v: string } | null {
  try {
    const value = JSON.parse(text.trim()) as Record<string, unknown>;
    const { studentNo, batch, v } = value;
    if (typeof studentNo === 'string' && typeof batch === 'string' && typeof v === 'string') return { studentNo, batch, v };
  } catch {
    return null;
  }
  return null;
}

export function verifySlip(replica: Replica, text: string): SlipVerdict {
  const payload = parsePayload(text);
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
