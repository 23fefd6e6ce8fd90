import type { StudentStatus } from '../../src-shared/contract/student-api';
import { HttpError } from '../http/http-error';
import type { StudentRef } from '../student-auth/sessions';
import { signedInStudent, type StudentContext, type StudentHandlerMap } from '../student-page/handler-map';
import { readStudentStatus } from './read-status';

/** The signed-in student's own status; there is no input, so no other 学号 can be named. */
export async function statusOf(ctx: StudentContext, ref: StudentRef): Promise<StudentStatus> {
  const batch = await ctx.server.batches.get(ctx.server.db, ref.batchId);
  const status = batch ? await readStudentStatus(ctx.server.db, batch, ref.studentNo) : null;
  if (!status) throw new HttpError(404, 'not_found', '离校名单中已没有您的记录，请联系学院');
  return status;
}

export function studentStatusApp(ctx: StudentContext): StudentHandlerMap<'status.get'> {
  return {
    'status.get': async (_input, call) => statusOf(ctx, signedInStudent(call)),
  };
}
