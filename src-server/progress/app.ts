import { listBatches } from '../admin/batches';
import { HttpError } from '../http/http-error';
import { signedIn, type ConsoleContext, type HandlerMap } from '../console/handler-map';
import { scopeColleges, type LeaderScope } from '../../src-shared/domain/console-roles';
import { aggregateProgress, type Drill } from './aggregate';

/** The leaders' dashboard: read-only, within the caller's scope (admins: the whole school). */
export function progressApp(ctx: ConsoleContext): HandlerMap<'progress.batches' | 'progress.get'> {
  const { db, batches } = ctx.server;
  return {
    'progress.batches': async () => ({ batches: (await listBatches(db)).map((b) => ({ id: b.id, name: b.name })) }),

    'progress.get': async (input, call) => {
      const account = signedIn(call);
      const batch = await batches.get(db, input.batchId);
      if (!batch) throw new HttpError(404, 'not_found', `没有编号为 "${input.batchId}" 的离校批次`);
      const scope = account.role === 'admin' ? ({ kind: 'school' } as const) : account.scope;
      refuseOutsideScope(scope, input);
      const progress = await ctx.progress.get(db, batch);
      return aggregateProgress(batch, progress.seq, progress.students.values(), scope, input, new Date());
    },
  };
}

/** A drill into a college or class the leader may not see is refused, not answered with zeros. */
function refuseOutsideScope(scope: LeaderScope, drill: Drill): void {
  const colleges = scopeColleges(scope);
  if (drill.college !== undefined && colleges !== 'all' && !colleges.includes(drill.college)) {
    throw new HttpError(403, 'forbidden', `「${drill.college}」不在您的查看范围内`);
  }
  if (scope.kind === 'classes' && drill.college !== undefined && drill.className !== undefined) {
    const { college, className } = drill;
    if (!scope.classes.some((c) => c.college === college && c.className === className)) {
      throw new HttpError(403, 'forbidden', `「${college}${className}」不在您的查看范围内`);
    }
  }
}
