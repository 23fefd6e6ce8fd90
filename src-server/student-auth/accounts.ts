import { and, desc, eq } from 'drizzle-orm';
import type { StudentAccount } from '../../src-shared/contract/student-api';
import type { Executor } from '../db/database';
import { batches, studentPasswords, students } from '../db/schema';
import type { StudentRef } from './sessions';

export interface StudentRecord extends StudentRef {
  name: string;
  batchName: string;
  passwordHash: string | null;
}

/** The student a 学号 signs in as: in the newest batch that lists it (a 学号 is one person). */
export async function findStudent(exec: Executor, studentNo: string): Promise<StudentRecord | null> {
  const [row] = await exec
    .select({ batchId: students.batchId, studentNo: students.studentNo, name: students.name, batchName: batches.name, passwordHash: studentPasswords.passwordHash })
    .from(students)
    .innerJoin(batches, eq(batches.id, students.batchId))
    .leftJoin(studentPasswords, and(eq(studentPasswords.batchId, students.batchId), eq(studentPasswords.studentNo, students.studentNo)))
    .where(eq(students.studentNo, studentNo))
    .orderBy(desc(batches.createdAt))
    .limit(1);
  return row ?? null;
}

export async function loadStudentAccount(exec: Executor, ref: StudentRef): Promise<StudentAccount | null> {
  const [row] = await exec
    .select({ name: students.name, batchName: batches.name, passwordHash: studentPasswords.passwordHash })
    .from(students)
    .innerJoin(batches, eq(batches.id, students.batchId))
    .leftJoin(studentPasswords, and(eq(studentPasswords.batchId, students.batchId), eq(studentPasswords.studentNo, students.studentNo)))
    .where(and(eq(students.batchId, ref.batchId), eq(students.studentNo, ref.studentNo)));
  return row ? { studentNo: ref.studentNo, name: row.name, batchName: row.batchName, hasPassword: row.passwordHash !== null } : null;
}

export async function storeStudentPassword(exec: Executor, ref: StudentRef, passwordHash: string): Promise<void> {
  await exec
    .insert(studentPasswords)
    .values({ ...ref, passwordHash })
    .onConflictDoUpdate({ target: [studentPasswords.batchId, studentPasswords.studentNo], set: { passwordHash, setAt: new Date().toISOString() } });
}
