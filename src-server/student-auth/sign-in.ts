import type { FastifyRequest } from 'fastify';
import type { SignInLimits } from '../auth/sign-in-limits';
import { verifyNobody, verifyPassword } from '../auth/passwords';
import type { Db } from '../db/database';
import { HttpError } from '../http/http-error';
import { findStudent, type StudentRecord } from './accounts';
import { idLast6Matches } from './id-last6';

/**
 * A limited check of 学号 + secret. Every refusal reads the same and costs one scrypt, whether
 * the 学号 exists, has a password, or neither, so the answers never tell which 学号 are real.
 */
export async function checkStudent(
  db: Db,
  limits: SignInLimits,
  request: FastifyRequest,
  studentNo: string,
  check: (student: StudentRecord) => Promise<boolean>,
  wrong: string,
): Promise<StudentRecord> {
  const wait = await limits.waitMs(db, studentNo, request.ip);
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    const message = seconds > 120 ? `登录失败次数过多，此学号已暂时锁定，请在 ${Math.ceil(seconds / 60)} 分钟后再试` : `登录失败次数较多，请在 ${seconds} 秒后再试`;
    throw new HttpError(429, 'rate_limited', message, {}, { 'retry-after': String(seconds) });
  }
  const student = await findStudent(db, studentNo);
  const right = student ? await check(student) : await verifyNobody(studentNo);
  if (!student || !right) {
    await limits.failed(db, studentNo, request.ip);
    throw new HttpError(401, 'unauthorized', wrong);
  }
  await limits.succeeded(db, studentNo, request.ip);
  return student;
}

/** Sign-in: the password once one is set, before that the last 6 of the 身份证号. */
export function secretMatches(db: Db, secret: string): (student: StudentRecord) => Promise<boolean> {
  return async (student) => {
    if (student.passwordHash) return verifyPassword(secret, student.passwordHash);
    const last6 = secret.trim().toUpperCase();
    // The same scrypt as a password check, so a student without a password cannot be told apart by time.
    const matches = /^[0-9]{5}[0-9X]$/.test(last6) && (await idLast6Matches(db, student.batchId, student.studentNo, last6));
    await verifyNobody(secret);
    return matches;
  };
}

/** Password reset: the last 6 of the 身份证号, as the seeds' manuals have it. */
export function last6Matches(db: Db, idLast6: string): (student: StudentRecord) => Promise<boolean> {
  return async (student) => {
    const matches = await idLast6Matches(db, student.batchId, student.studentNo, idLast6);
    await verifyNobody(idLast6);
    return matches;
  };
}
