import type Database from 'better-sqlite3';
import type { BatchIndex } from '../../src-shared/domain/batch';
import type { Replica } from '../db/open';

/**
 * The numbers behind stats.checkpoint, kept in memory per replica connection and brought up to
 * date student by student. Counting 20,000 students × 18 steps in SQL takes hundreds of
 * milliseconds; after a change only the students it touched are read again.
 *
 * The rules are those of the SQL it replaces, on the rows as stored: a (student, step) applies
 * when its row exists and is not 'na', and is unfinished when 'pending' or 'rejected'; a
 * checkpoint applies when one of its steps does. test/integration/stats-cache.test.ts holds the
 * cache to that SQL after random writes of every kind.
 *
 * Which students changed is learnt from SQLite itself, not from the change feed: temporary
 * triggers (connection-local, no migration) note every student whose students or step_states
 * rows this connection inserts, updates or deletes, whichever code path wrote them, and a
 * rolled-back write takes its note with it. Writes by another connection show as a new
 * data_version and mean a full rebuild.
 */

const STATUS_CODE: Record<string, number> = { na: 1, pending: 2, rejected: 3, passed: 4 };
/** No row for the step: neither applies nor is unfinished, as in the SQL. */
const MISSING = 0;
const applies = (code: number) => code >= 2;
const open = (code: number) => code === 2 || code === 3;

/** Above this share of the roster noted as changed, one full read is cheaper than many small ones. */
const REBUILD_SHARE = 0.2;

const DIRTY_SQL = `
create temp table if not exists stats_dirty (student_no text primary key) without rowid;
create temp trigger if not exists stats_dirty_state_insert after insert on step_states
  begin insert or ignore into stats_dirty values (new.student_no); end;
create temp trigger if not exists stats_dirty_state_update after update of student_no, step_id, status on step_states
  begin insert or ignore into stats_dirty values (old.student_no), (new.student_no); end;
create temp trigger if not exists stats_dirty_state_delete after delete on step_states
  begin insert or ignore into stats_dirty values (old.student_no); end;
create temp trigger if not exists stats_dirty_student_insert after insert on students
  begin insert or ignore into stats_dirty values (new.student_no); end;
create temp trigger if not exists stats_dirty_student_update after update of student_no, college, is_previous on students
  begin insert or ignore into stats_dirty values (old.student_no), (new.student_no); end;
create temp trigger if not exists stats_dirty_student_delete after delete on students
  begin insert or ignore into stats_dirty values (old.student_no); end;
`;

/** One student as the counts see them. */
interface Entry {
  bucket: Bucket;
  /** A status code per step, in batch.steps order. */
  codes: Uint8Array;
}

/**
 * The students of one college and one is_previous value. counts holds pairs (total,
 * unfinished): the school line, then one pair per checkpoint, then one per step.
 */
interface Bucket {
  college: string;
  isPrevious: number;
  counts: Int32Array;
}

export interface CountPair {
  total: number;
  unfinished: number;
}

export interface ScopedLine extends CountPair {
  previousTotal: number;
  previousUnfinished: number;
}

export interface StatsCounts {
  school: CountPair;
  checkpoint: ScopedLine;
  steps: Map<string, ScopedLine>;
}

export class StatsCache {
  private readonly stepIndex = new Map<string, number>();
  private readonly schoolCounted: number[];
  private readonly checkpointSlots = new Map<string, { slot: number; all: number[]; counted: number[] }>();
  private readonly checkpoints: { all: number[]; counted: number[] }[] = [];
  private readonly width: number;
  private readonly buckets = new Map<string, Bucket>();
  private readonly entries = new Map<string, Entry>();
  private dataVersion = -1;
  private readonly stmts;

  constructor(
    private readonly sqlite: Database.Database,
    readonly batch: BatchIndex,
  ) {
    const counted = (id: string) => batch.def.completionRule === 'all' || batch.step(id).step.required;
    batch.steps.forEach((r, i) => this.stepIndex.set(r.step.id, i));
    this.schoolCounted = batch.steps.filter((r) => counted(r.step.id)).map((r) => this.stepIndex.get(r.step.id)!);
    batch.def.checkpoints.forEach((cp, slot) => {
      const all = cp.steps.map((s) => this.stepIndex.get(s.id)!);
      const entry = { slot, all, counted: cp.steps.filter((s) => counted(s.id)).map((s) => this.stepIndex.get(s.id)!) };
      this.checkpointSlots.set(cp.id, entry);
      this.checkpoints.push(entry);
    });
    this.width = 2 * (1 + this.checkpoints.length + batch.steps.length);
    sqlite.exec(DIRTY_SQL);
    this.stmts = {
      students: sqlite.prepare('select student_no, college, is_previous from students').raw(),
      states: sqlite.prepare('select student_no, step_id, status from step_states').raw(),
      student: sqlite.prepare('select college, is_previous from students where student_no = ?').raw(),
      studentStates: sqlite.prepare('select step_id, status from step_states where student_no = ?').raw(),
      dirty: sqlite.prepare('select student_no from stats_dirty').pluck(),
      dirtyCount: sqlite.prepare('select count(*) from stats_dirty').pluck(),
      clearDirty: sqlite.prepare('delete from stats_dirty'),
    };
    this.rebuild();
  }

  /** The counts for one checkpoint, the checkpoint and step lines limited to `colleges` ('all': no limit). */
  counts(checkpointId: string, colleges: 'all' | readonly string[]): StatsCounts {
    this.refresh();
    const cp = this.checkpointSlots.get(checkpointId);
    if (!cp) throw new Error(`unknown checkpoint ${checkpointId}`);
    const inScope = colleges === 'all' ? () => true : (college: string) => colleges.includes(college);
    const school = { total: 0, unfinished: 0 };
    const checkpoint = { total: 0, unfinished: 0, previousTotal: 0, previousUnfinished: 0 };
    const stepIds = this.batch.checkpoint(checkpointId).steps.map((s) => s.id);
    const steps = new Map(stepIds.map((id) => [id, { total: 0, unfinished: 0, previousTotal: 0, previousUnfinished: 0 }]));
    const addTo = (line: ScopedLine, isPrevious: number, counts: Int32Array, at: number) => {
      if (isPrevious === 0) {
        line.total += counts[at]!;
        line.unfinished += counts[at + 1]!;
      } else if (isPrevious === 1) {
        line.previousTotal += counts[at]!;
        line.previousUnfinished += counts[at + 1]!;
      }
    };
    for (const { college, isPrevious, counts } of this.buckets.values()) {
      if (isPrevious === 0) {
        school.total += counts[0]!;
        school.unfinished += counts[1]!;
      }
      if (!inScope(college)) continue;
      addTo(checkpoint, isPrevious, counts, 2 + 2 * cp.slot);
      for (const id of stepIds) addTo(steps.get(id)!, isPrevious, counts, this.stepOffset(this.stepIndex.get(id)!));
    }
    return { school, checkpoint, steps };
  }

  private stepOffset(step: number): number {
    return 2 * (1 + this.checkpoints.length + step);
  }

  private bucket(college: string, isPrevious: number): Bucket {
    const key = `${isPrevious}\u0000${college}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { college, isPrevious, counts: new Int32Array(this.width) };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private contribute(entry: Entry, sign: 1 | -1): void {
    const { codes } = entry;
    const counts = entry.bucket.counts;
    counts[0]! += sign;
    if (this.schoolCounted.some((i) => open(codes[i]!))) counts[1]! += sign;
    this.checkpoints.forEach((cp, slot) => {
      if (!cp.all.some((i) => applies(codes[i]!))) return;
      counts[2 + 2 * slot]! += sign;
      if (cp.counted.some((i) => open(codes[i]!))) counts[3 + 2 * slot]! += sign;
    });
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i]!;
      if (!applies(code)) continue;
      const at = this.stepOffset(i);
      counts[at]! += sign;
      if (open(code)) counts[at + 1]! += sign;
    }
  }

  private rebuild(): void {
    this.dataVersion = this.currentDataVersion();
    this.buckets.clear();
    this.entries.clear();
    const read = this.sqlite.transaction(() => {
      this.stmts.clearDirty.run();
      for (const [no, college, isPrevious] of this.stmts.students.iterate() as Iterable<[string, string, number]>) {
        this.entries.set(no, { bucket: this.bucket(college, isPrevious), codes: new Uint8Array(this.stepIndex.size) });
      }
      for (const [no, stepId, status] of this.stmts.states.iterate() as Iterable<[string, string, string]>) {
        const step = this.stepIndex.get(stepId);
        const entry = this.entries.get(no);
        if (step !== undefined && entry) entry.codes[step] = STATUS_CODE[status] ?? MISSING;
      }
    });
    read();
    for (const entry of this.entries.values()) this.contribute(entry, 1);
  }

  private reread(studentNo: string): void {
    const old = this.entries.get(studentNo);
    if (old) this.contribute(old, -1);
    const row = this.stmts.student.get(studentNo) as [string, number] | undefined;
    if (!row) {
      this.entries.delete(studentNo);
      return;
    }
    const codes = new Uint8Array(this.stepIndex.size);
    for (const [stepId, status] of this.stmts.studentStates.all(studentNo) as [string, string][]) {
      const step = this.stepIndex.get(stepId);
      if (step !== undefined) codes[step] = STATUS_CODE[status] ?? MISSING;
    }
    const entry = { bucket: this.bucket(row[0], row[1]), codes };
    this.entries.set(studentNo, entry);
    this.contribute(entry, 1);
  }

  private currentDataVersion(): number {
    return this.sqlite.pragma('data_version', { simple: true }) as number;
  }

  /** Applies what was written since the last call: the noted students, or everything after another connection wrote. */
  private refresh(): void {
    if (this.currentDataVersion() !== this.dataVersion) {
      this.rebuild();
      return;
    }
    const count = this.stmts.dirtyCount.get() as number;
    if (count === 0) return;
    if (count > Math.max(1000, this.entries.size * REBUILD_SHARE)) {
      this.rebuild();
      return;
    }
    this.sqlite.transaction(() => {
      for (const no of this.stmts.dirty.all() as string[]) this.reread(no);
      this.stmts.clearDirty.run();
    })();
  }
}

const caches = new WeakMap<Database.Database, StatsCache>();

/** The cache of the replica's connection, built on first use (one full read of the roster). */
export function statsCache(replica: Replica): StatsCache {
  let cache = caches.get(replica.sqlite);
  if (!cache || cache.batch !== replica.batch) {
    cache = new StatsCache(replica.sqlite, replica.batch);
    caches.set(replica.sqlite, cache);
  }
  return cache;
}
