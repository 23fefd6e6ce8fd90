import type { StudentDetail } from '../../../src-shared/contract/counter-api';
import { standingText, zhCN } from '../../../src-shared/i18n/zh-CN';
import { call } from '../api/client';
import { notify } from '../feedback/notify';
import { messageOf } from '../store/errors';
import { useStudentStore } from '../store/student';

/** Tells the operator at once whether the student in front of them can be served here. */
export function announceStudent(detail: StudentDetail): void {
  const { name, studentNo } = detail.student;
  if (detail.standing.kind !== 'own') notify('blocked', zhCN.ui.scan.departed(name, standingText(detail.standing)));
  else if (!detail.inScope) notify('blocked', zhCN.ui.scan.outOfScope(name));
  else if (detail.actions.some((a) => a.pass?.code === 'blocked')) notify('blocked', zhCN.ui.scan.blocked(name));
  else notify('success', zhCN.ui.scan.found(name, studentNo));
}

export async function openStudent(studentNo: string): Promise<void> {
  const detail = await useStudentStore.getState().open(studentNo);
  if (detail) announceStudent(detail);
  else {
    const error = useStudentStore.getState().error;
    if (error) notify('error', error);
  }
}

/** A scan (or a typed code) goes to students.lookup; the answer decides what the centre shows. */
export async function lookupScan(text: string): Promise<void> {
  let result;
  try {
    result = await call('students.lookup', { text });
  } catch (e) {
    notify('error', messageOf(e));
    return;
  }
  const { scan, students } = result;
  if (scan.kind === 'invalid') {
    notify('error', zhCN.scan[scan.reason]);
    return;
  }
  const [first] = students;
  if (!first) {
    notify('notFound', zhCN.scan.notFound(scan.value));
    return;
  }
  if (students.length > 1) {
    useStudentStore.getState().showCandidates(students);
    notify('info', zhCN.ui.scan.several(students.length));
    return;
  }
  await openStudent(first.studentNo);
}
