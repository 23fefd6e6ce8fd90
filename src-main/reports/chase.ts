import type { ChaseList, ChaseStep, ChaseStudent } from '../../src-shared/contract/report-api';
import { checkpointDisplayName } from '../../src-shared/domain/batch';
import type { Replica } from '../db/open';
import { reportedStudents, placeholders, reportHeader, resolveScope, type ReportScopeInput } from './scope';
import { localDate } from './time';

/**
 * 未完成名单: the students unfinished at a checkpoint (the same rule as stats.checkpoint), each
 * with every counted step still open, so a college can chase them for all of it at once.
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

export function chaseList(replica: Replica, options: ReportScopeInput, now: Date): ChaseList {
  const { batch, sqlite } = replica;
  const scope = resolveScope(replica, options);
  const colleges = reportedStudents(scope);
  const counted = (required: boolean) => batch.def.completionRule === 'all' || required;
  const stepIds = scope.checkpoint.steps.map((s) => s.id);
  const countedHere = scope.checkpoint.steps.filter((s) => counted(s.required)).map((s) => s.id);
  const countedAll = batch.steps.filter((r) => counted(r.step.required)).map((r) => r.step.id);

  const chased = `select s.* from students s
    where exists (select 1 from step_states a where a.student_no = s.student_no
                    and a.step_id in (${placeholders(stepIds)}) and a.status <> 'na')
      and exists (select 1 from step_states u where u.student_no = s.student_no
                    and u.step_id in (${placeholders(countedHere)}) and u.status in ('pending', 'rejected'))
      and (${colleges.text})`;
  const params = [...stepIds, ...countedHere, ...colleges.params];
  const students = sqlite.prepare(`${chased} order by s.college, s.class_name, s.student_no`).all(...params) as StudentRow[];
  const open = sqlite
    .prepare(
      `select st.student_no, st.step_id, st.status, st.note from step_states st
       where st.student_no in (select student_no from (${chased}))
         and st.step_id in (${placeholders(countedAll)}) and st.status in ('pending', 'rejected')`,
    )
    .all(...params, ...countedAll) as { student_no: string; step_id: string; status: 'pending' | 'rejected'; note: string }[];

  const byStudent = new Map<string, typeof open>();
  for (const row of open) {
    const list = byStudent.get(row.student_no) ?? [];
    list.push(row);
    byStudent.set(row.student_no, list);
  }

  const rows: ChaseStudent[] = students.map((s) => {
    const here: ChaseStep[] = [];
    const elsewhere: ChaseStep[] = [];
    const steps = (byStudent.get(s.student_no) ?? []).sort((a, b) => batch.step(a.step_id).order - batch.step(b.step_id).order);
    for (const st of steps) {
      const { checkpoint, step } = batch.step(st.step_id);
      const entry: ChaseStep = {
        checkpointName: checkpointDisplayName(checkpoint, { college: s.college }),
        stepName: step.name,
        status: st.status,
        note: st.status === 'rejected' ? st.note : '',
      };
      (checkpoint.id === scope.checkpoint.id ? here : elsewhere).push(entry);
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
      here,
      elsewhere,
    };
  });
  return { header: reportHeader(replica, scope, localDate(now, scope.timeZone), now), students: rows };
}
