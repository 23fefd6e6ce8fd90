import { BatchIndex, isApplicable } from '../../src-shared/domain/batch';
import type { InitialState, RosterStudent } from '../../src-shared/domain/types';
import { isValidIdCard, maskIdCard } from '../../src-shared/scan/classify';
import { ReplicaError } from './replica-error';

const STUDENT_NO_MAX = 32;
const LISTED_PROBLEMS_MAX = 50;
const INITIAL_STATUSES = new Set(['pending', 'passed', 'rejected']);

function blank(v: unknown): boolean {
  return typeof v !== 'string' || v.trim() === '';
}

function studentProblems(s: RosterStudent, flagKeys: Set<string>): string[] {
  const out: string[] = [];
  if (blank(s.studentNo)) out.push('学号为空');
  else if (s.studentNo !== s.studentNo.trim()) out.push('学号前后有空格');
  else if (s.studentNo.length > STUDENT_NO_MAX) out.push(`学号超过 ${STUDENT_NO_MAX} 个字符`);
  if (blank(s.name)) out.push('姓名为空');
  if (s.gender !== '男' && s.gender !== '女') out.push(`性别必须是“男”或“女”，而不是“${String(s.gender)}”`);
  if (blank(s.college)) out.push('学院为空');
  if (blank(s.major)) out.push('专业为空');
  if (blank(s.className)) out.push('班级为空');
  if (s.dorm !== null && typeof s.dorm !== 'string') out.push('住宿地址必须是文字或留空');
  if (typeof s.isPrevious !== 'boolean') out.push('往届标记必须是 是/否');
  const id = typeof s.idCard === 'string' ? s.idCard.trim().toUpperCase() : '';
  if (!isValidIdCard(id)) out.push(id ? `身份证号 ${maskIdCard(id)} 无效（应为 18 位，校验位正确）` : '身份证号为空');
  const flags = s.flags && typeof s.flags === 'object' ? s.flags : {};
  const unknown = Object.keys(flags).filter((k) => !flagKeys.has(k));
  if (unknown.length > 0) out.push(`批次中没有这些标记列：${unknown.join('、')}`);
  const notBoolean = Object.entries(flags).filter(([k, v]) => flagKeys.has(k) && typeof v !== 'boolean');
  if (notBoolean.length > 0) out.push(`标记列必须是 是/否：${notBoolean.map(([k]) => k).join('、')}`);
  return out;
}

function initialStateProblem(
  batch: BatchIndex,
  st: InitialState,
  roster: RosterStudent[],
  rowOf: Map<string, number>,
  seen: Set<string>,
): string | null {
  const row = rowOf.get(st.studentNo);
  if (row === undefined) return '花名册中没有这个学号';
  if (!batch.hasStep(st.stepId)) return '批次中没有这个环节';
  if (!INITIAL_STATUSES.has(st.status)) return '状态必须是 pending、passed 或 rejected';
  const student = roster[row - 1] as RosterStudent;
  if (!isApplicable(batch.step(st.stepId).step, student.flags ?? {})) return '该学生无需办理此环节，不能有办理状态';
  const key = `${st.studentNo}\u0000${st.stepId}`;
  if (seen.has(key)) return '与前面的项重复';
  seen.add(key);
  return null;
}

function label(row: number, studentNo: unknown): string {
  return typeof studentNo === 'string' && studentNo.trim() ? `第 ${row} 行（学号 ${studentNo}）` : `第 ${row} 行`;
}

/**
 * Every problem of a roster and its initial states, one line each, with the row it is on, so an
 * administrator can fix the file in one go. Empty = the roster can be loaded.
 */
export function rosterProblems(batch: BatchIndex, roster: RosterStudent[], initial: InitialState[]): string[] {
  const flagKeys = new Set(batch.def.flags.map((f) => f.key));
  const problems: string[] = [];
  const rowOf = new Map<string, number>();
  roster.forEach((s, i) => {
    const row = i + 1;
    for (const p of studentProblems(s, flagKeys)) problems.push(`${label(row, s.studentNo)}：${p}`);
    const first = rowOf.get(s.studentNo);
    if (first !== undefined) problems.push(`${label(row, s.studentNo)}：学号与第 ${first} 行重复`);
    else rowOf.set(s.studentNo, row);
  });
  const seen = new Set<string>();
  initial.forEach((st, i) => {
    const problem = initialStateProblem(batch, st, roster, rowOf, seen);
    if (problem) problems.push(`初始状态第 ${i + 1} 项（学号 ${st.studentNo}，环节 ${st.stepId}）：${problem}`);
  });
  return problems;
}

export function assertRosterValid(batch: BatchIndex, roster: RosterStudent[], initial: InitialState[]): void {
  const problems = rosterProblems(batch, roster, initial);
  if (problems.length === 0) return;
  const listed = problems.slice(0, LISTED_PROBLEMS_MAX).map((p) => `  - ${p}`);
  if (problems.length > LISTED_PROBLEMS_MAX) listed.push(`  ……另有 ${problems.length - LISTED_PROBLEMS_MAX} 处问题`);
  throw new ReplicaError(`花名册有 ${problems.length} 处问题，没有写入任何数据：\n${listed.join('\n')}`, problems);
}
