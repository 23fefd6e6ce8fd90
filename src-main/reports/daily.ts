import type { ClassUnfinished, DailyReport, ReportAction, ReportCounts } from '../../src-shared/contract/report-api';
import type { Replica } from '../db/open';
import { checkpointStats } from '../counter/stats';
import { reportedStudents, placeholders, reportHeader, resolveScope, type ReportScopeInput } from './scope';
import { dayBounds, localDate } from './time';

/**
 * 离校点日报. Standing numbers (应办, 累计通过, 未完成) come from stats.checkpoint itself, run
 * for the report's scope, so the printed report can never disagree with the live counter. The
 * day's numbers are counted from the audit log, one row per action, between the local midnights.
 */

export interface DailyReportOptions extends ReportScopeInput {
  date?: string | undefined;
}

type DayKind = 'pass' | 'reject' | 'revoke';

function counts(total: number, unfinished: number, today: Map<DayKind, number>): ReportCounts {
  const passed = total - unfinished;
  return {
    total,
    passedToday: today.get('pass') ?? 0,
    revokedToday: today.get('revoke') ?? 0,
    rejectedToday: today.get('reject') ?? 0,
    passed,
    unfinished,
    rate: total > 0 ? passed / total : null,
  };
}

/** Names of other operators are known only from the step rows they touched last. */
function operatorNames(replica: Replica, ids: Set<string>, known: { id: string; name: string }): Map<string, string> {
  const names = new Map<string, string>([[known.id, known.name]]);
  const missing = [...ids].filter((id) => !names.has(id));
  if (missing.length === 0) return names;
  const rows = replica.sqlite
    .prepare(
      `select updated_by as id, max(updated_by_name) as name from step_states
       where updated_by in (${placeholders(missing)}) and updated_by_name is not null group by updated_by`,
    )
    .all(...missing) as { id: string; name: string }[];
  for (const r of rows) names.set(r.id, r.name);
  return names;
}

export function dailyReport(replica: Replica, options: DailyReportOptions, now: Date): DailyReport {
  const { batch, sqlite } = replica;
  const scope = resolveScope(replica, options);
  const date = options.date ?? localDate(now, scope.timeZone);
  const { start, end } = dayBounds(date, scope.timeZone);
  const stats = checkpointStats(replica, scope.statsSession, now);
  const colleges = reportedStudents(scope);
  const stepIds = scope.checkpoint.steps.map((s) => s.id);
  const countedIds = scope.checkpoint.steps.filter((s) => batch.def.completionRule === 'all' || s.required).map((s) => s.id);

  const dayRows = sqlite
    .prepare(
      `select a.step_id, s.is_previous, a.kind, count(*) as n
       from audit_log a join students s on s.student_no = a.student_no
       where a.at >= ? and a.at < ? and a.step_id in (${placeholders(stepIds)}) and a.kind in ('pass', 'reject', 'revoke')
         and (${colleges.text})
       group by a.step_id, s.is_previous, a.kind`,
    )
    .all(start, end, ...stepIds, ...colleges.params) as { step_id: string; is_previous: number; kind: DayKind; n: number }[];
  const today = (stepId: string, previous: number) =>
    new Map(dayRows.filter((r) => r.step_id === stepId && r.is_previous === previous).map((r) => [r.kind, r.n]));

  const steps = scope.checkpoint.steps.map((step) => {
    const line = stats.steps.find((l) => l.id === step.id);
    return {
      id: step.id,
      name: step.name,
      required: step.required,
      mode: step.mode,
      current: counts(line?.total ?? 0, line?.unfinished ?? 0, today(step.id, 0)),
      previous: counts(line?.previousTotal ?? 0, line?.previousUnfinished ?? 0, today(step.id, 1)),
    };
  });

  // The same "applies" and "unfinished" conditions as stats.checkpoint, grouped by class.
  const classRows = sqlite
    .prepare(
      `select college, class_name as className,
              sum(is_previous = 0) as total, sum(is_previous = 0 and open) as unfinished,
              sum(is_previous = 1) as previousTotal, sum(is_previous = 1 and open) as previousUnfinished
       from (
         select s.college, s.class_name, s.is_previous,
                exists (select 1 from step_states u where u.student_no = s.student_no
                  and u.step_id in (${placeholders(countedIds)}) and u.status in ('pending', 'rejected')) as open
         from students s
         where exists (select 1 from step_states a where a.student_no = s.student_no
                         and a.step_id in (${placeholders(stepIds)}) and a.status <> 'na')
           and (${colleges.text})
       )
       group by college, class_name
       having sum(open) > 0
       order by college, class_name`,
    )
    .all(...countedIds, ...stepIds, ...colleges.params) as ClassUnfinished[];

  const actionRows = sqlite
    .prepare(
      `select a.at, a.student_no, s.name, s.college, s.class_name, s.is_previous, a.step_id, a.kind, a.operator_id, a.note
       from audit_log a join students s on s.student_no = a.student_no
       where a.at >= ? and a.at < ? and a.step_id in (${placeholders(stepIds)}) and (${colleges.text})
       order by a.at, a.id`,
    )
    .raw()
    .all(start, end, ...stepIds, ...colleges.params) as [string, string, string, string, string, number, string, ReportAction['kind'], string, string][];
  const names = operatorNames(replica, new Set(actionRows.map((r) => r[8])), scope.session.operator);
  const stepNames = new Map(scope.checkpoint.steps.map((s) => [s.id, s.name]));
  const actions: ReportAction[] = actionRows.map(([at, studentNo, name, college, className, isPrevious, stepId, kind, operatorId, note]) => ({
    at,
    studentNo,
    name,
    college,
    className,
    isPrevious: isPrevious === 1,
    stepId,
    stepName: stepNames.get(stepId) ?? stepId,
    kind,
    operatorId,
    operatorName: names.get(operatorId) ?? operatorId,
    note,
  }));

  const { total, unfinished, previousTotal, previousUnfinished } = stats.checkpoint;
  return {
    header: reportHeader(replica, scope, date, now),
    checkpoint: { total, unfinished, previousTotal, previousUnfinished },
    steps,
    unfinishedByClass: classRows,
    actions,
  };
}
