import type { Output } from '../../src-shared/contract/counter-api';
import { classifyScan } from '../../src-shared/scan/classify';
import type { Replica } from '../db/open';
import { fullIdCardMatch } from './id-card-query';
import { OWN_STUDENT, STUDENT_COLUMNS, type StudentRow } from './student-store';
import { summarize } from './summary';

/** A scan is one person, but a name or the last six ID digits can be several: offer a short list. */
const CANDIDATE_LIMIT = 50;

export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function findRows(replica: Replica, where: string, ...params: string[]): StudentRow[] {
  return replica.sqlite
    .prepare(`select ${STUDENT_COLUMNS} from students s where ${where} limit ${CANDIDATE_LIMIT}`)
    .all(...params) as StudentRow[];
}

/** students.lookup: what the operator scanned or typed, and who it is. */
export function lookupStudents(replica: Replica, checkpointId: string, text: string): Output<'students.lookup'> {
  const scan = classifyScan(text);
  let rows: StudentRow[];
  switch (scan.kind) {
    case 'studentNo':
      rows = findRows(replica, 's.student_no = ?', scan.value);
      break;
    case 'idCard': {
      const match = fullIdCardMatch(replica, scan.value);
      rows = findRows(replica, `${match.text} order by s.student_no`, ...match.params);
      break;
    }
    // Lists of candidates hold this counter's own students only; a 学号 or a full 身份证号 names
    // one person, and their card says where they went.
    case 'idLast6':
      rows = findRows(replica, `s.id_last6 = ? and ${OWN_STUDENT} order by s.student_no`, scan.value);
      break;
    case 'name':
      // Exact names first: typing "张伟" should not bury 张伟 under 张伟明 and 张伟华.
      rows = findRows(replica, `s.name like ? escape '\\' and ${OWN_STUDENT} order by s.name <> ?, s.student_no`, likeContains(scan.value), scan.value);
      break;
    case 'invalid':
      rows = [];
      break;
  }
  return { scan, students: summarize(replica, checkpointId, rows) };
}
