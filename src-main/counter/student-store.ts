import type { StudentGateInput } from '../../src-shared/domain/gate';
import { standingOf, type Standing } from '../../src-shared/domain/standing';
import type { StepStatus, Student } from '../../src-shared/domain/types';
import type { Replica } from '../db/open';

/** A students row as SQLite returns it. */
export interface StudentRow {
  student_no: string;
  name: string;
  gender: '男' | '女';
  college: string;
  major: string;
  class_name: string;
  dorm: string | null;
  id_masked: string;
  is_previous: number;
  flags: string;
  in_scope: number;
  withdrawn_reason: string | null;
}

export interface StateRow {
  student_no: string;
  step_id: string;
  status: StepStatus;
  note: string;
  version: number;
  updated_at: string | null;
  updated_by: string | null;
  updated_by_name: string | null;
}

export interface WaiverRow {
  student_no: string;
  step_id: string;
  lifted: number;
  version: number;
}

export const STUDENT_COLUMNS =
  's.student_no, s.name, s.gender, s.college, s.major, s.class_name, s.dorm, s.id_masked, s.is_previous, s.flags, s.in_scope, s.withdrawn_reason';

/**
 * The SQL twin of `standingOf(...).kind === 'own'` on the students row aliased `s`: the students
 * this counter searches, counts, reports and chases. The others stay for their history.
 */
export const OWN_STUDENT = 's.in_scope = 1 and s.withdrawn_reason is null';

export function standingOfRow(row: Pick<StudentRow, 'college' | 'in_scope' | 'withdrawn_reason'>): Standing {
  return standingOf({ college: row.college, inScope: row.in_scope === 1, withdrawnReason: row.withdrawn_reason });
}

/** SQLite caps bound parameters per statement; lists of 学号 go in chunks well under that. */
const IN_CHUNK = 500;

export function toStudent(row: StudentRow): Student {
  return {
    studentNo: row.student_no,
    name: row.name,
    gender: row.gender,
    college: row.college,
    major: row.major,
    className: row.class_name,
    dorm: row.dorm,
    idCardMasked: row.id_masked,
    isPrevious: row.is_previous === 1,
    flags: JSON.parse(row.flags) as Record<string, boolean>,
  };
}

export function readStudentRow(replica: Replica, studentNo: string): StudentRow | null {
  const row = replica.sqlite.prepare(`select ${STUDENT_COLUMNS} from students s where s.student_no = ?`).get(studentNo) as
    | StudentRow
    | undefined;
  return row ?? null;
}

export function readStudent(replica: Replica, studentNo: string): Student | null {
  const row = readStudentRow(replica, studentNo);
  return row ? toStudent(row) : null;
}

function readByStudent<T extends { student_no: string }>(
  replica: Replica,
  table: 'step_states' | 'waivers',
  studentNos: readonly string[],
  columns = '*',
): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const no of studentNos) out.set(no, []);
  for (let i = 0; i < studentNos.length; i += IN_CHUNK) {
    const chunk = studentNos.slice(i, i + IN_CHUNK);
    const rows = replica.sqlite
      .prepare(`select ${columns} from ${table} where student_no in (${chunk.map(() => '?').join(',')})`)
      .all(...chunk) as T[];
    for (const row of rows) out.get(row.student_no)?.push(row);
  }
  return out;
}

export function readStates(replica: Replica, studentNos: readonly string[]): Map<string, StateRow[]> {
  return readByStudent<StateRow>(replica, 'step_states', studentNos);
}

export function readWaivers(replica: Replica, studentNos: readonly string[]): Map<string, WaiverRow[]> {
  return readByStudent<WaiverRow>(replica, 'waivers', studentNos);
}

type GateStateRow = Pick<StateRow, 'student_no' | 'step_id' | 'status'>;
type GateWaiverRow = Pick<WaiverRow, 'student_no' | 'step_id' | 'lifted'>;

/** What the shared gate rules need about one student, from their rows. */
export function gateInput(student: Pick<Student, 'college' | 'flags'>, states: GateStateRow[], waivers: GateWaiverRow[]): StudentGateInput {
  return {
    student,
    status: new Map(states.map((r) => [r.step_id, r.status])),
    lifted: new Set(waivers.filter((w) => w.lifted === 1).map((w) => w.step_id)),
  };
}

/** Students with their gate inputs, for a page of results, in the order given. */
export function loadGateInputs(replica: Replica, rows: StudentRow[]): { student: Student; input: StudentGateInput }[] {
  const nos = rows.map((r) => r.student_no);
  // Only what the gate reads: the notes and who-changed-what of every row would double the time of a page.
  const states = readByStudent<GateStateRow>(replica, 'step_states', nos, 'student_no, step_id, status');
  const waivers = readByStudent<GateWaiverRow>(replica, 'waivers', nos, 'student_no, step_id, lifted');
  return rows.map((row) => {
    const student = toStudent(row);
    return { student, input: gateInput(student, states.get(row.student_no) ?? [], waivers.get(row.student_no) ?? []) };
  });
}
