import { BatchIndex, isApplicable } from '../domain/batch';
import { evaluateStep, type StudentGateInput } from '../domain/gate';
import type { BatchDef, InitialState, RosterStudent, StepStatus } from '../domain/types';
import { idCardCheckDigit } from '../scan/classify';

/**
 * A fictitious but realistic graduating class for demos, tests and benchmarks. Pure and
 * deterministic: the same batch, seed and size always give the same roster, on any platform,
 * so a demo database, a server snapshot and a test fixture built separately agree.
 */

export interface DemoMajor {
  name: string;
  /** As it appears in class names: "23机设3班". */
  abbr: string;
  /** 建筑学 and 城乡规划 take five years, so their graduates enrolled a year earlier. */
  years: 4 | 5;
}

export interface DemoCollege {
  name: string;
  /** Two-digit college code, the first part of the 学号. */
  code: string;
  /** Share of male students: engineering skews male, languages female. */
  maleRate: number;
  majors: DemoMajor[];
}

export const DEMO_COLLEGES: readonly DemoCollege[] = [
  {
    name: '机电工程学院',
    code: '03',
    maleRate: 0.82,
    majors: [
      { name: '机械设计制造及其自动化', abbr: '机设', years: 4 },
      { name: '电气工程及其自动化', abbr: '电气', years: 4 },
      { name: '自动化', abbr: '自动化', years: 4 },
    ],
  },
  {
    name: '计算机科学与工程学院',
    code: '05',
    maleRate: 0.72,
    majors: [
      { name: '计算机科学与技术', abbr: '计科', years: 4 },
      { name: '软件工程', abbr: '软工', years: 4 },
      { name: '网络工程', abbr: '网络', years: 4 },
      { name: '物联网工程', abbr: '物联网', years: 4 },
    ],
  },
  {
    name: '土木工程学院',
    code: '06',
    maleRate: 0.78,
    majors: [
      { name: '土木工程', abbr: '土木', years: 4 },
      { name: '工程管理', abbr: '工管', years: 4 },
      { name: '给排水科学与工程', abbr: '给排水', years: 4 },
    ],
  },
  {
    name: '外国语学院',
    code: '08',
    maleRate: 0.18,
    majors: [
      { name: '英语', abbr: '英语', years: 4 },
      { name: '日语', abbr: '日语', years: 4 },
      { name: '翻译', abbr: '翻译', years: 4 },
    ],
  },
  {
    name: '数学与计算科学学院',
    code: '09',
    maleRate: 0.55,
    majors: [
      { name: '数学与应用数学', abbr: '数学', years: 4 },
      { name: '信息与计算科学', abbr: '信计', years: 4 },
    ],
  },
  {
    name: '化学化工学院',
    code: '11',
    maleRate: 0.58,
    majors: [
      { name: '化学工程与工艺', abbr: '化工', years: 4 },
      { name: '应用化学', abbr: '应化', years: 4 },
      { name: '制药工程', abbr: '制药', years: 4 },
    ],
  },
  {
    name: '商学院',
    code: '14',
    maleRate: 0.35,
    majors: [
      { name: '会计学', abbr: '会计', years: 4 },
      { name: '市场营销', abbr: '营销', years: 4 },
      { name: '国际经济与贸易', abbr: '国贸', years: 4 },
      { name: '财务管理', abbr: '财管', years: 4 },
    ],
  },
  {
    name: '建筑与艺术设计学院',
    code: '16',
    maleRate: 0.5,
    majors: [
      { name: '建筑学', abbr: '建筑', years: 5 },
      { name: '城乡规划', abbr: '规划', years: 5 },
      { name: '环境设计', abbr: '环设', years: 4 },
    ],
  },
];

export interface RosterOptions {
  seed: number;
  size?: number;
}

export interface DemoRoster {
  students: RosterStudent[];
  initial: InitialState[];
}

type Rng = () => number;

/** mulberry32: tiny, fast and identical everywhere, unlike Math.random. */
function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

function weighted<T>(entries: readonly (readonly [T, number])[]): (rng: Rng) => T {
  const cumulative: number[] = [];
  let total = 0;
  for (const [, w] of entries) cumulative.push((total += w));
  return (rng) => {
    const x = rng() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return (entries[lo] as readonly [T, number])[0];
  };
}

// Weights roughly follow the national surname frequencies, so 王/李/张 dominate as they do on a
// real roster and a search for a common surname returns many candidates.
const SURNAME = weighted<string>([
  ...([
    ['王', 72], ['李', 72], ['张', 68], ['刘', 54], ['陈', 46], ['杨', 32], ['黄', 25], ['赵', 22],
    ['吴', 21], ['周', 20], ['徐', 14], ['孙', 13], ['马', 12], ['朱', 12], ['胡', 11], ['郭', 11],
    ['何', 9], ['高', 9], ['林', 9], ['罗', 9], ['郑', 8], ['梁', 8], ['谢', 7], ['宋', 6],
    ['唐', 10], ['许', 6], ['韩', 5], ['冯', 5], ['邓', 8], ['曹', 5], ['彭', 9], ['曾', 8],
    ['肖', 7], ['田', 4], ['董', 4], ['袁', 4], ['潘', 3], ['于', 3], ['蒋', 5], ['蔡', 3],
    ['余', 4], ['杜', 3], ['叶', 3], ['程', 3], ['苏', 3], ['魏', 3], ['吕', 3], ['丁', 3],
    ['任', 3], ['沈', 3], ['姚', 3], ['卢', 3], ['姜', 2], ['崔', 2], ['钟', 2], ['谭', 7],
    ['陆', 2], ['汪', 2], ['范', 2], ['金', 2], ['石', 2], ['廖', 4], ['贾', 2], ['夏', 2],
    ['韦', 2], ['付', 2], ['方', 2], ['白', 2], ['邹', 3], ['孟', 2], ['熊', 2], ['秦', 2],
    ['邱', 2], ['江', 2], ['尹', 2], ['薛', 1], ['段', 1], ['雷', 2], ['侯', 1], ['龙', 2],
    ['史', 1], ['陶', 1], ['黎', 1], ['贺', 2], ['顾', 1], ['毛', 1], ['龚', 1], ['邵', 1],
    ['万', 1], ['钱', 1], ['严', 1], ['覃', 1], ['向', 2], ['戴', 1], ['莫', 1], ['汤', 1],
  ] as const),
  ['欧阳', 0.8], ['司马', 0.2], ['诸葛', 0.1], ['上官', 0.2], ['皇甫', 0.1], ['慕容', 0.1],
]);

const GIVEN: Record<'男' | '女', string[]> = {
  男: [...'伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳博文志建峰晨轩然睿哲昊宏毅诚翔子一泽铭皓天'],
  女: [...'芳娜敏静丽艳娟霞秀玲桂英慧颖婷雪琳洁雯倩琪悦瑶佳怡欣蕾晴妍梦璐思嘉雨菲萱彤涵月诗蓉薇玥馨宁一子'],
};

// Characters outside the Basic Multilingual Plane that do occur in real names; they break code
// that counts UTF-16 units, so the demo carries a few.
const RARE_CHARS = ['𠀾', '𡈼', '𪚥', '𤭢'];
const RARE_NAME_RATE = 0.005;

function givenName(rng: Rng, gender: '男' | '女'): string {
  const pool = GIVEN[gender];
  const length = rng() < 0.25 ? 1 : 2;
  let name = '';
  for (let i = 0; i < length; i++) name += pick(rng, pool);
  if (rng() < RARE_NAME_RATE) name = name.slice(0, -1) + pick(rng, RARE_CHARS);
  return name;
}

// Real county codes, weighted towards the university's own province as a provincial
// university's intake is; birth date and sequence are random, so the numbers are fictitious.
const AREA = weighted<string>([
  ['430102', 6], ['430104', 5], ['430111', 4], ['430121', 4], ['430181', 3], ['430202', 3],
  ['430211', 3], ['430302', 4], ['430304', 3], ['430321', 3], ['430381', 3], ['430421', 3],
  ['430482', 2], ['430521', 3], ['430602', 2], ['430682', 2], ['430703', 2], ['430722', 2],
  ['430802', 1], ['430902', 2], ['430921', 2], ['431002', 2], ['431102', 2], ['431202', 2],
  ['431302', 2], ['433101', 2], ['420102', 2], ['420106', 1], ['440106', 1], ['360102', 1],
  ['450102', 1], ['500103', 1], ['510104', 1], ['410102', 1], ['350102', 1], ['520102', 1],
  ['370102', 1], ['340102', 1],
]);

const BIRTH_YEAR = weighted<number>([[2001, 2], [2002, 8], [2003, 25], [2004, 50], [2005, 15]]);

function idCard(rng: Rng, gender: '男' | '女'): string {
  const year = BIRTH_YEAR(rng);
  const month = int(rng, 1, 12);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = int(rng, 1, days);
  // The 17th digit is odd for men and even for women.
  const seq = int(rng, 0, 499) * 2 + (gender === '男' ? 1 : 0);
  const first17 = `${AREA(rng)}${year}${pad(month, 2)}${pad(day, 2)}${pad(seq, 3)}`;
  return first17 + idCardCheckDigit(first17);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

const FLAG_RATES: Record<string, number> = {
  党团员: 0.6,
  国家助学贷款: 0.15,
  生源地贷款: 0.12,
  借用交换机: 0.03,
  暂缓两证: 0.02,
};
const UNKNOWN_FLAG_RATE = 0.1;
const PREVIOUS_RATE = 0.03;

// The clearance week's day 3: the feeds from the library and finance have run, some students
// have done the early counters, few have reached the certificate desks.
const AUTO_PASS_RATE = 0.85;
const AUTO_REJECT_RATE = 0.04;
const MANUAL_PASS_FIRST = 0.4;
const MANUAL_PASS_LAST = 0.2;
const GATED_PASS_RATE = 0.3;
/** Students who did every counter on the first days, so the certificate desks have a queue. */
const EAGER_RATE = 0.08;
const EAGER_PASS_RATE = 0.95;
const REJECT_RATE = 0.02;

const REJECT_NOTES: Record<string, string> = {
  'return-books': '尚有 2 本图书未归还',
  'repay-debt': '欠缴住宿费 1200 元',
  'return-instruments': '实验仪器未归还',
  'return-student-card': '学生证遗失，需补交遗失证明',
  electricity: '欠缴电费 86.50 元',
  'dorm-clearance': '宿舍物品未清理完毕',
  'party-transfer': '组织关系介绍信信息有误，需重新开具',
};
const DEFAULT_REJECT_NOTE = '材料不全，请补齐后再来办理';

interface ClassPlan {
  college: DemoCollege;
  major: DemoMajor;
  majorCode: string;
  grade: number;
  classNo: number;
}

const MAJOR = weighted<{ college: DemoCollege; major: DemoMajor; majorCode: string }>(
  DEMO_COLLEGES.flatMap((college) =>
    college.majors.map((major, i) => [{ college, major, majorCode: pad(i + 1, 2) }, 1] as const),
  ),
);

/** Enrolment year (two digits) of this batch's regular graduates: 2027届 four-year students enrolled in 2023. */
function gradeOf(major: DemoMajor, previous: boolean): number {
  return 27 - major.years - (previous ? 1 : 0);
}

function className(plan: ClassPlan): string {
  return `${pad(plan.grade, 2)}${plan.major.abbr}${plan.classNo}班`;
}

/**
 * 学号 = 学院(2) 年级(2) 专业(2) 班(2) 序号(2). The college code comes first so that colleges
 * 01-09 give 学号 with a leading zero, the case Excel silently breaks.
 */
function studentNo(plan: ClassPlan, seq: number): string {
  return `${plan.college.code}${pad(plan.grade, 2)}${plan.majorCode}${pad(plan.classNo, 2)}${pad(seq, 2)}`;
}

/**
 * Splits n room-mates into rooms of 4-6. Only 1, 2, 3 and 7 cannot be split; those students get
 * no dorm (like the off-campus students every school has).
 */
function roomSizes(rng: Rng, n: number): number[] {
  const sizes: number[] = [];
  const impossible = (r: number) => r === 1 || r === 2 || r === 3 || r === 7;
  while (n >= 4 && n !== 7) {
    const options = [4, 5, 6].filter((s) => s <= n && !impossible(n - s));
    const s = pick(rng, options);
    sizes.push(s);
    n -= s;
  }
  return sizes;
}

const ROOMS_PER_FLOOR = 16;
const FLOORS = 6;
const BUILDINGS_PER_ZONE = 8;

/** Men live in the odd 区, women in the even ones, as many campuses separate them by building. */
function dormName(gender: '男' | '女', roomIndex: number): string {
  const floorIndex = Math.floor(roomIndex / ROOMS_PER_FLOOR);
  const buildingIndex = Math.floor(floorIndex / FLOORS);
  const zone = Math.floor(buildingIndex / BUILDINGS_PER_ZONE) * 2 + (gender === '男' ? 1 : 2);
  const building = (buildingIndex % BUILDINGS_PER_ZONE) + 1;
  const floor = (floorIndex % FLOORS) + 1;
  const room = (roomIndex % ROOMS_PER_FLOOR) + 1;
  return `${zone}区-${building}栋-${floor}层-${pad(floor, 2)}${pad(room, 2)}`;
}

function assignDorms(rng: Rng, students: RosterStudent[]): void {
  for (const gender of ['男', '女'] as const) {
    // Students are in class order, so consecutive room-mates are mostly classmates.
    const residents = students.filter((s) => s.gender === gender && !s.isPrevious);
    let at = 0;
    roomSizes(rng, residents.length).forEach((size, roomIndex) => {
      const dorm = dormName(gender, roomIndex);
      for (let i = 0; i < size; i++) (residents[at++] as RosterStudent).dorm = dorm;
    });
  }
}

function makeStudent(rng: Rng, batch: BatchDef, plan: ClassPlan, seq: number, previous: boolean, ids: Set<string>): RosterStudent {
  const gender = rng() < plan.college.maleRate ? '男' : '女';
  let id = idCard(rng, gender);
  while (ids.has(id)) id = idCard(rng, gender);
  ids.add(id);
  const flags: Record<string, boolean> = {};
  for (const f of batch.flags) flags[f.key] = rng() < (FLAG_RATES[f.key] ?? UNKNOWN_FLAG_RATE);
  return {
    studentNo: studentNo(plan, seq),
    name: SURNAME(rng) + givenName(rng, gender),
    gender,
    college: plan.college.name,
    major: plan.major.name,
    className: className(plan),
    dorm: null,
    idCard: id,
    isPrevious: previous,
    flags,
  };
}

/** Pass rate of each ungated manual step before a student's diligence: later counters see fewer students. */
function manualPassRates(batch: BatchIndex): Map<string, number> {
  const last = Math.max(1, batch.def.checkpoints.length - 1);
  const rates = new Map<string, number>();
  batch.def.checkpoints.forEach((cp, i) => {
    for (const step of cp.steps) rates.set(step.id, MANUAL_PASS_FIRST + ((MANUAL_PASS_LAST - MANUAL_PASS_FIRST) * i) / last);
  });
  return rates;
}

function initialStates(rng: Rng, batch: BatchIndex, passRates: Map<string, number>, student: RosterStudent): InitialState[] {
  const status = new Map<string, StepStatus>();
  const input: StudentGateInput = { student, status, lifted: new Set() };
  // Some students start on day one, some have not come yet.
  const eager = rng() < EAGER_RATE;
  const diligence = 0.5 + rng();
  const decide = (stepId: string, passRate: number, rejectRate: number) => {
    const x = rng();
    if (x < passRate) status.set(stepId, 'passed');
    else if (x < passRate + rejectRate) status.set(stepId, 'rejected');
  };
  const applicable = batch.steps.filter((r) => isApplicable(r.step, student.flags));
  // Ungated steps first, so a gated step is judged on its prerequisites' final state: a step
  // decided after a gated one can only have been pending when the gated one was judged.
  for (const { step } of applicable) {
    if (step.gate) continue;
    if (step.mode === 'auto') decide(step.id, AUTO_PASS_RATE, AUTO_REJECT_RATE);
    else if (eager) decide(step.id, EAGER_PASS_RATE, REJECT_RATE);
    else decide(step.id, (passRates.get(step.id) ?? MANUAL_PASS_LAST) * diligence, REJECT_RATE);
  }
  for (const { step } of applicable) {
    if (!step.gate) continue;
    if (evaluateStep(batch, input, step.id).missing.length > 0) continue;
    decide(step.id, GATED_PASS_RATE * diligence, 0);
  }
  const out: InitialState[] = [];
  for (const { step } of applicable) {
    const s = status.get(step.id);
    if (s === 'passed') out.push({ studentNo: student.studentNo, stepId: step.id, status: s });
    else if (s === 'rejected') {
      out.push({ studentNo: student.studentNo, stepId: step.id, status: s, note: REJECT_NOTES[step.id] ?? DEFAULT_REJECT_NOTE });
    }
  }
  return out;
}

export function generateRoster(batch: BatchDef, { seed, size = 2000 }: RosterOptions): DemoRoster {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`size must be a non-negative integer, got ${size}`);
  const rng = mulberry32(seed);
  const index = new BatchIndex(batch);
  const ids = new Set<string>();
  const students: RosterStudent[] = [];
  const previousCount = Math.round(size * PREVIOUS_RATE);
  const classesPerMajor = new Map<string, number>();

  while (students.length < size - previousCount) {
    const { college, major, majorCode } = MAJOR(rng);
    const key = college.code + majorCode;
    const classNo = (classesPerMajor.get(key) ?? 0) + 1;
    if (classNo > 99) throw new RangeError(`size ${size} is too large: a major would need more than 99 classes`);
    classesPerMajor.set(key, classNo);
    const plan: ClassPlan = { college, major, majorCode, grade: gradeOf(major, false), classNo };
    const classSize = Math.min(int(rng, 30, 60), size - previousCount - students.length);
    for (let seq = 1; seq <= classSize; seq++) students.push(makeStudent(rng, batch, plan, seq, false, ids));
  }

  // 往届: last year's graduates who did not clear, still in their old class; numbered from 61
  // so they never collide with a classmate who is not in this roster.
  const previousSeq = new Map<string, number>();
  for (let i = 0; i < previousCount; i++) {
    const { college, major, majorCode } = MAJOR(rng);
    const plan: ClassPlan = { college, major, majorCode, grade: gradeOf(major, true), classNo: int(rng, 1, 3) };
    const key = studentNo(plan, 0);
    const seq = (previousSeq.get(key) ?? 60) + 1;
    if (seq > 99) throw new RangeError(`size ${size} is too large for the 往届 numbering`);
    previousSeq.set(key, seq);
    students.push(makeStudent(rng, batch, plan, seq, true, ids));
  }

  assignDorms(rng, students);
  const passRates = manualPassRates(index);
  const initial = students.flatMap((s) => initialStates(rng, index, passRates, s));
  return { students, initial };
}
