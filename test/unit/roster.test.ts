import { describe, expect, it } from 'vitest';
import { rosterProblems } from '../../src-main/db/roster-check';
import { generateRoster } from '../../src-shared/demo/roster';
import { BatchIndex, isApplicable } from '../../src-shared/domain/batch';
import { evaluateStep } from '../../src-shared/domain/gate';
import type { BatchDef, StepStatus } from '../../src-shared/domain/types';
import { classifyScan, isValidIdCard } from '../../src-shared/scan/classify';
import { demoBatch } from './demo-batch';

const batch = demoBatch();
const index = new BatchIndex(batch);
const roster = generateRoster(batch, { seed: 42 });

function statusMaps(initial: typeof roster.initial): Map<string, Map<string, StepStatus>> {
  const byStudent = new Map<string, Map<string, StepStatus>>();
  for (const s of initial) {
    const m = byStudent.get(s.studentNo) ?? new Map<string, StepStatus>();
    m.set(s.stepId, s.status);
    byStudent.set(s.studentNo, m);
  }
  return byStudent;
}

describe('generateRoster', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateRoster(batch, { seed: 42 })).toEqual(roster);
    const other = generateRoster(batch, { seed: 43 });
    expect(other.students.map((s) => s.studentNo)).not.toEqual(roster.students.map((s) => s.studentNo));
  });

  it('has the requested size, 2000 by default', () => {
    expect(roster.students).toHaveLength(2000);
    expect(generateRoster(batch, { seed: 1, size: 137 }).students).toHaveLength(137);
    expect(generateRoster(batch, { seed: 1, size: 0 })).toEqual({ students: [], initial: [] });
    expect(() => generateRoster(batch, { seed: 1, size: -1 })).toThrow(RangeError);
  });

  it('gives unique 10-digit 学号, some with a leading zero, that the scanner reads as 学号', () => {
    const nos = roster.students.map((s) => s.studentNo);
    expect(new Set(nos).size).toBe(nos.length);
    for (const no of nos) expect(no).toMatch(/^\d{10}$/);
    expect(nos.some((n) => n.startsWith('0'))).toBe(true);
    expect(nos.some((n) => !n.startsWith('0'))).toBe(true);
    for (const no of nos.slice(0, 50)) expect(classifyScan(no)).toEqual({ kind: 'studentNo', value: no });
  });

  it('gives unique 身份证号 with valid check digits, birth 2001-2005 and the gender digit', () => {
    const ids = roster.students.map((s) => s.idCard);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of roster.students) {
      expect(isValidIdCard(s.idCard), s.idCard).toBe(true);
      const year = Number(s.idCard.slice(6, 10));
      expect(year).toBeGreaterThanOrEqual(2001);
      expect(year).toBeLessThanOrEqual(2005);
      expect(Number(s.idCard[16]) % 2 === 1 ? '男' : '女').toBe(s.gender);
    }
    expect(ids.some((id) => id.endsWith('X'))).toBe(true);
  });

  it('puts 4-6 students of one gender in each room, mostly classmates', () => {
    const rooms = new Map<string, typeof roster.students>();
    for (const s of roster.students) {
      if (s.dorm === null) continue;
      expect(s.dorm).toMatch(/^\d+区-\d+栋-\d+层-\d{4}$/);
      rooms.set(s.dorm, [...(rooms.get(s.dorm) ?? []), s]);
    }
    expect(rooms.size).toBeGreaterThan(300);
    let singleClass = 0;
    for (const [dorm, mates] of rooms) {
      expect(mates.length, dorm).toBeGreaterThanOrEqual(4);
      expect(mates.length, dorm).toBeLessThanOrEqual(6);
      expect(new Set(mates.map((m) => m.gender)).size, dorm).toBe(1);
      if (new Set(mates.map((m) => m.className)).size === 1) singleClass++;
    }
    expect(singleClass / rooms.size).toBeGreaterThan(0.7);
  });

  it('builds classes like "23机设3班" of at most 60, in 6-10 colleges with 2-4 majors each', () => {
    const classes = new Map<string, number>();
    const majors = new Map<string, Set<string>>();
    for (const s of roster.students) {
      expect(s.className).toMatch(/^\d{2}\p{Script=Han}+\d+班$/u);
      classes.set(s.className, (classes.get(s.className) ?? 0) + 1);
      majors.set(s.college, (majors.get(s.college) ?? new Set()).add(s.major));
    }
    for (const n of classes.values()) expect(n).toBeLessThanOrEqual(60);
    expect(majors.size).toBeGreaterThanOrEqual(6);
    expect(majors.size).toBeLessThanOrEqual(10);
    for (const m of majors.values()) expect(m.size).toBeGreaterThanOrEqual(2);
    expect(roster.students.some((s) => s.className.startsWith('23机设'))).toBe(true);
  });

  it('names students in Chinese, with compound surnames and a few characters outside the BMP', () => {
    const names = roster.students.map((s) => s.name);
    for (const n of names) expect(classifyScan(n)).toEqual({ kind: 'name', value: n });
    const nonBmp = names.filter((n) => [...n].some((c) => (c.codePointAt(0) ?? 0) > 0xffff));
    expect(nonBmp.length).toBeGreaterThan(0);
    expect(nonBmp.length).toBeLessThan(40);
    expect(names.some((n) => /^(欧阳|司马|诸葛|上官|皇甫|慕容)/.test(n))).toBe(true);
    expect(names.filter((n) => n.startsWith('王')).length).toBeGreaterThan(names.filter((n) => n.startsWith('龚')).length);
  });

  it('sets every batch flag at a plausible rate, and 10% for flags it does not know', () => {
    const rate = (key: string, students = roster.students) => students.filter((s) => s.flags[key]).length / students.length;
    for (const s of roster.students) expect(Object.keys(s.flags).sort()).toEqual(batch.flags.map((f) => f.key).sort());
    expect(rate('党团员')).toBeCloseTo(0.6, 1);
    expect(rate('国家助学贷款')).toBeCloseTo(0.15, 1);
    expect(rate('借用交换机')).toBeGreaterThan(0.005);
    expect(rate('借用交换机')).toBeLessThan(0.06);
    const custom: BatchDef = { ...batch, flags: [...batch.flags, { key: '出国交流', label: '出国交流' }] };
    expect(rate('出国交流', generateRoster(custom, { seed: 7 }).students)).toBeCloseTo(0.1, 1);
  });

  it('has about 3% 往届 students, who have no dorm and an older grade', () => {
    const prev = roster.students.filter((s) => s.isPrevious);
    expect(prev.length).toBe(60);
    for (const s of prev) {
      expect(s.dorm).toBeNull();
      expect(Number(s.className.slice(0, 2))).toBeLessThanOrEqual(21 + (s.major === '建筑学' || s.major === '城乡规划' ? 0 : 1));
    }
  });

  it('emits initial states only for applicable steps and never past a closed gate', () => {
    const maps = statusMaps(roster.initial);
    const students = new Map(roster.students.map((s) => [s.studentNo, s]));
    const seen = new Set<string>();
    for (const st of roster.initial) {
      const student = students.get(st.studentNo);
      expect(student).toBeDefined();
      if (!student) continue;
      expect(isApplicable(index.step(st.stepId).step, student.flags)).toBe(true);
      const key = `${st.studentNo}/${st.stepId}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
      if (st.status === 'rejected') expect(st.note).toBeTruthy();
      if (st.status !== 'passed') continue;
      const gate = evaluateStep(index, { student, status: maps.get(st.studentNo) ?? new Map(), lifted: new Set() }, st.stepId);
      expect(gate.missing, key).toEqual([]);
    }
  });

  it('looks like day 3: feeds mostly passed, early counters busier than certificates', () => {
    const share = (stepId: string, status: StepStatus) =>
      roster.initial.filter((s) => s.stepId === stepId && s.status === status).length / roster.students.length;
    expect(share('return-books', 'passed')).toBeGreaterThan(0.8);
    expect(share('return-books', 'passed')).toBeLessThan(0.9);
    expect(share('return-instruments', 'passed')).toBeGreaterThan(0.25);
    expect(share('return-instruments', 'passed')).toBeLessThan(0.5);
    const certs = share('degree-cert', 'passed');
    expect(certs).toBeGreaterThan(0);
    expect(certs).toBeLessThan(share('return-instruments', 'passed') / 3);
    expect(roster.initial.some((s) => s.status === 'rejected' && s.stepId === 'repay-debt')).toBe(true);
  });

  it('passes the replica loader’s roster check', () => {
    expect(rosterProblems(index, roster.students, roster.initial)).toEqual([]);
  });

  it('works for another batch definition, honouring its gates', () => {
    const custom: BatchDef = {
      ...batch,
      checkpoints: batch.checkpoints.map((cp) =>
        cp.id === 'dorm'
          ? { ...cp, steps: cp.steps.map((s) => ({ ...s, gate: { requires: ['electricity', 'return-books'] } })) }
          : cp,
      ),
    };
    const customIndex = new BatchIndex(custom);
    const r = generateRoster(custom, { seed: 5, size: 500 });
    const maps = statusMaps(r.initial);
    const dormPassed = r.students.filter((s) => maps.get(s.studentNo)?.get('dorm-clearance') === 'passed');
    expect(dormPassed.length).toBeGreaterThan(0);
    for (const s of dormPassed) {
      expect(maps.get(s.studentNo)?.get('electricity')).toBe('passed');
      expect(maps.get(s.studentNo)?.get('return-books')).toBe('passed');
    }
    expect(rosterProblems(customIndex, r.students, r.initial)).toEqual([]);
  });

  // Its speed is printed by `npm run bench -- counter` (roster generated: … ms).
  it('generates 20,000 students with distinct 学号', () => {
    const big = generateRoster(batch, { seed: 9, size: 20_000 });
    expect(big.students).toHaveLength(20_000);
    expect(new Set(big.students.map((s) => s.studentNo)).size).toBe(20_000);
  });
});
