import { and, eq, gt, lte, ne } from 'drizzle-orm';
import type { Executor } from '../db/database';
import { studentSessions } from '../db/schema';
import { hashToken, newToken } from '../auth/tokens';

/** Half a day: a phone left somewhere does not stay signed in for the week. */
export const STUDENT_SESSION_SECONDS = 12 * 60 * 60;

export interface StudentRef {
  batchId: string;
  studentNo: string;
}

export async function startStudentSession(exec: Executor, student: StudentRef, now = new Date()): Promise<string> {
  const token = newToken('lxs_');
  const expiresAt = new Date(now.getTime() + STUDENT_SESSION_SECONDS * 1000).toISOString();
  // Sessions past their time are dropped whenever someone signs in, so the table stays small.
  await exec.delete(studentSessions).where(lte(studentSessions.expiresAt, now.toISOString()));
  await exec.insert(studentSessions).values({ tokenHash: hashToken(token), ...student, expiresAt });
  return token;
}

export async function sessionStudent(exec: Executor, token: string, now = new Date()): Promise<StudentRef | null> {
  const [row] = await exec
    .select({ batchId: studentSessions.batchId, studentNo: studentSessions.studentNo })
    .from(studentSessions)
    .where(and(eq(studentSessions.tokenHash, hashToken(token)), gt(studentSessions.expiresAt, now.toISOString())));
  return row ?? null;
}

export async function endStudentSession(exec: Executor, token: string): Promise<void> {
  await exec.delete(studentSessions).where(eq(studentSessions.tokenHash, hashToken(token)));
}

/** A new password signs every other browser of that student out. */
export async function endOtherStudentSessions(exec: Executor, student: StudentRef, keepToken: string | null): Promise<void> {
  const others = keepToken ? ne(studentSessions.tokenHash, hashToken(keepToken)) : undefined;
  await exec
    .delete(studentSessions)
    .where(and(eq(studentSessions.batchId, student.batchId), eq(studentSessions.studentNo, student.studentNo), others));
}
