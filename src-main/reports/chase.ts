import type {
  ChaseClass,
  ChaseFilter,
  ChaseStep,
  ChaseStudent,
  ChaseSummary,
  ReportHeader,
} from '../../src-shared/contract/report-api';
import { CHASE_PAGE_MAX_CLASSES } from '../../src-shared/contract/report-api';
import { checkpointDisplayName } from '../../src-shared/domain/batch';
import type { CheckpointDef } from '../../src-shared/domain/types';
import type { Replica } from '../db/open';
import { reportedStudents, placeholders, reportHeader, resolveScope, type ReportScope, type ReportScopeInput } from './scope';
import { localDate } from './time';

/**
 * 未完成名单: the students unfinished at a checkpoint (the same rule as stats.checkpoint), each
 * with every counted step still open, so a college can chase them for all of it at once.
 *
 * At 50,000 students the list runs to 30,000 rows, so it is never read whole: the summary gives
 * its class blocks and their sizes, and the rows are read a few classes at a time, by the
 * screen as it scrolls, by the printout and by the workbook writer alike.
 */

interface StudentRow {
  student_no: string;
  name: string;
  gender: '男' | '女';
  college: string;
  class_name: string;
  dorm: string | null;
  id_masked: string;
  is_previous: number;
}

export interface ChaseInputs extends ReportScopeInput {
  filter?: ChaseFilter | undefined;
}

/** The scope of one chase list and the SQL that picks its students (aliased `s`). */
interface ChaseQuery {
  replica: Replica;
  scope: ReportScope;
  /** Conditions on `s` beyond "unfinished": own student, the scope's colleges, the filter. */
  where: string;
  params: string[];
  /** The checkpoint's counted steps: one of them pending or rejected makes a student unfinished. */
  countedHere: string[];
}

function chaseQuery(replica: Replica, input: ChaseInputs, withFilter = true): ChaseQuery {
  const scope = resolveScope(replica, input);
  const colleges = reportedStudents(scope);
  const counted = (required: boolean) => replica.batch.def.completionRule === 'all' || required;
  const where = [colleges.text];
  const params = [...colleges.params];
  const filter = withFilter ? input.filter : undefined;
  if (filter?.college !== undefined) {
    where.push('s.college = ?');
    params.push(filter.college);
  }
  // instr, not LIKE: a typed % or _ is a character of the name, not a wildcard.
  if (filter?.className !== undefined) {
    where.push('instr(s.class_name, ?) > 0');
    params.push(filter.className);
  }
  if (filter?.dorm !== undefined) {
    where.push('instr(s.dorm, ?) > 0');
    params.push(filter.dorm);
  }
  return {
    replica,
    scope,
    where: where.map((w) => `(${w})`).join(' and '),
    params,
    countedHere: scope.checkpoint.steps.filter((s) => counted(s.required)).map((s) => s.id),
  };
}

/**
 * A student is unfinished at the checkpoint when one of its counted steps is pending or rejected.
 * (That step applies, so "the checkpoint applies to the student" needs no test of its own.)
 * For the whole list the unfinished step rows are found through their (step, status) index;
 * for a few classes, student by student.
 */
function unfinishedSet(q: ChaseQuery): { text: string; params: string[] } {
  return {
    text: `s.student_no in (select u.student_no from step_states u
             where u.step_id in (${placeholders(q.countedHere)}) and u.status in ('pending', 'rejected'))`,
    params: q.countedHere,
  };
}
function unfinishedHere(q: ChaseQuery): { text: string; params: string[] } {
  return {
    text: `exists (select 1 from step_states u where u.student_no = s.student_no
             and u.step_id in (${placeholders(q.countedHere)}) and u.status in ('pending', 'rejected'))`,
    params: q.countedHere,
  };
}

function header(q: ChaseQuery, now: Date): ReportHeader {
  return reportHeader(q.replica, q.scope, localDate(now, q.scope.timeZone), now);
}

export function chaseSummary(replica: Replica, input: ChaseInputs, now: Date): ChaseSummary {
  const q = chaseQuery(replica, input);
  const set = unfinishedSet(q);
  const classes = replica.sqlite
    .prepare(
      `select s.college, s.class_name as className, count(*) as students from students s
       where ${set.text} and ${q.where}
       group by s.college, s.class_name order by s.college, s.class_name`,
    )
    .all(...set.params, ...q.params) as (ChaseClass & { students: number })[];
  const filtered = input.filter !== undefined && Object.values(input.filter).some((v) => v !== undefined);
  let colleges = [...new Set(classes.map((c) => c.college))];
  if (filtered) {
    const all = chaseQuery(replica, input, false);
    colleges = replica.sqlite
      .prepare(`select distinct s.college from students s where ${set.text} and ${all.where} order by s.college`)
      .pluck()
      .all(...set.params, ...all.params) as string[];
  }
  return { header: header(q, now), total: classes.reduce((n, c) => n + c.students, 0), classes, colleges };
}

/** The unfinished students of some classes, each with the counted steps still open anywhere. */
function readClasses(q: ChaseQuery, classes: readonly ChaseClass[]): ChaseStudent[] {
  const { batch, sqlite } = q.replica;
  const here = unfinishedHere(q);
  const classNames = [...new Set(classes.map((c) => c.className))];
  // class_name in (…) lets SQLite use its index; the pair picks the college's class of that name.
  const chosen = `select s.* from students s
    where s.class_name in (${placeholders(classNames)})
      and (s.college, s.class_name) in (values ${classes.map(() => '(?, ?)').join(', ')})
      and ${q.where} and ${here.text}`;
  const params = [...classNames, ...classes.flatMap((c) => [c.college, c.className]), ...q.params, ...here.params];
  const students = sqlite.prepare(`${chosen} order by s.college, s.class_name, s.student_no`).all(...params) as StudentRow[];
  const countedAll = batch.steps.filter((r) => batch.def.completionRule === 'all' || r.step.required).map((r) => r.step.id);
  // The step conditions are unary-plussed so SQLite goes by the students' keys; its (step, status)
  // index would walk every open row of the batch.
  const open = sqlite
    .prepare(
      `select st.student_no, st.step_id, st.status, st.note from step_states st
       where st.student_no in (select value from json_each(?))
         and +st.step_id in (${placeholders(countedAll)}) and +st.status in ('pending', 'rejected')`,
    )
    .all(JSON.stringify(students.map((s) => s.student_no)), ...countedAll) as {
    student_no: string;
    step_id: string;
    status: 'pending' | 'rejected';
    note: string;
  }[];

  const byStudent = new Map<string, typeof open>();
  for (const row of open) {
    const list = byStudent.get(row.student_no) ?? [];
    list.push(row);
    byStudent.set(row.student_no, list);
  }
  const names = new Map<string, string>();
  const nameOf = (checkpoint: CheckpointDef, college: string) => {
    const key = `${checkpoint.id}\u0000${college}`;
    let name = names.get(key);
    if (name === undefined) names.set(key, (name = checkpointDisplayName(checkpoint, { college })));
    return name;
  };
  return students.map((s) => {
    const ownHere: ChaseStep[] = [];
    const elsewhere: ChaseStep[] = [];
    const steps = (byStudent.get(s.student_no) ?? []).sort((a, b) => batch.step(a.step_id).order - batch.step(b.step_id).order);
    for (const st of steps) {
      const { checkpoint, step } = batch.step(st.step_id);
      const entry: ChaseStep = {
        checkpointName: nameOf(checkpoint, s.college),
        stepName: step.name,
        status: st.status,
        note: st.status === 'rejected' ? st.note : '',
      };
      (checkpoint.id === q.scope.checkpoint.id ? ownHere : elsewhere).push(entry);
    }
    return {
      studentNo: s.student_no,
      name: s.name,
      gender: s.gender,
      college: s.college,
      className: s.class_name,
      dorm: s.dorm,
      idCardMasked: s.id_masked,
      isPrevious: s.is_previous === 1,
      here: ownHere,
      elsewhere,
    };
  });
}

export function chasePage(replica: Replica, input: ChaseInputs & { classes: ChaseClass[] }): { students: ChaseStudent[] } {
  return { students: readClasses(chaseQuery(replica, input), input.classes) };
}

/**
 * The whole list for a writer that streams it: the summary first, then the rows a page of
 * classes at a time, so no more than one page is held at once.
 */
export function chaseRows(replica: Replica, input: ChaseInputs, now: Date): { summary: ChaseSummary; pages: () => Generator<ChaseStudent[]> } {
  const summary = chaseSummary(replica, input, now);
  const q = chaseQuery(replica, input);
  return {
    summary,
    *pages() {
      for (let first = 0; first < summary.classes.length; first += CHASE_PAGE_MAX_CLASSES) {
        yield readClasses(q, summary.classes.slice(first, first + CHASE_PAGE_MAX_CLASSES));
      }
    },
  };
}
