import type { FastifyInstance } from 'fastify';
import { STUDENT_SLIP_PATH } from '../../src-shared/contract/student-api';
import { HttpError } from '../http/http-error';
import { statusOf } from '../student-status/app';
import { requireStudent } from '../student-page/student-routes';
import type { StudentContext } from '../student-page/handler-map';
import { CjkFonts } from './cjk-fonts';
import { slipCodeOf, slipPdf } from './slip-pdf';

/** GET the signed-in student's 离校单 as a PDF, once their clearance is complete. */
export function registerSlipRoute(app: FastifyInstance, ctx: StudentContext): void {
  const fonts = new CjkFonts();
  app.get(STUDENT_SLIP_PATH, async (request, reply) => {
    const student = await requireStudent(ctx, request);
    const status = await statusOf(ctx, student);
    if (!status.complete) throw new HttpError(409, 'conflict', '离校手续尚未全部办结，办结后才能下载离校单');
    const batch = await ctx.server.batches.get(ctx.server.db, student.batchId);
    if (!batch) throw new HttpError(404, 'not_found', '离校名单中已没有您的记录，请联系学院');
    const pdf = slipPdf(fonts, status, slipCodeOf(batch.idHashKey, batch.id, student.studentNo), new Date());
    return reply
      .type('application/pdf')
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="lixiaodan-${student.studentNo}.pdf"; filename*=UTF-8''${encodeURIComponent(`离校单-${student.studentNo}.pdf`)}`)
      .send(pdf);
  });
}
