import type { Input } from '../../src-shared/contract/counter-api';
import type { ChaseStudent, ChaseSummary } from '../../src-shared/contract/report-api';
import type { CounterService } from '../../src-main/counter/service';

/**
 * The whole 未完成名单 as a reader of the API builds it: the summary, then every class through
 * reports.chasePage, `classesPerPage` classes at a time.
 */
export function wholeChaseList(
  service: CounterService,
  input: Input<'reports.chaseSummary'>,
  classesPerPage = 7,
): { header: ChaseSummary['header']; summary: ChaseSummary; students: ChaseStudent[] } {
  const summary = service.call('reports.chaseSummary', input);
  const students: ChaseStudent[] = [];
  for (let first = 0; first < summary.classes.length; first += classesPerPage) {
    const classes = summary.classes.slice(first, first + classesPerPage).map(({ college, className }) => ({ college, className }));
    students.push(...service.call('reports.chasePage', { ...input, classes }).students);
  }
  return { header: summary.header, summary, students };
}
