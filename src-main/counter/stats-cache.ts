import type Database from 'better-sqlite3';
import type { BatchIndex } from '../../src-shared/domain/batch';
import type { Replica } from '../db/open';
import { OWN_STUDENT } from './student-store';

/**
 * The numbers behind stats.checkpoint, kept in memory per replica connection and brought up to
 * date student by student. Counting 20,000 students × 16 steps in SQL takes hundreds of
 * milliseconds; after a change only the students it touched are read again.
 *
 * The rules are those of the SQL it replaces, on the rows as stored: a (student, step) applies
 * when its row exists and is not 'na', and is unfinished when 'pending' or 'rejected'; a
 * checkpoint applies when one of its steps does. Only the counter's own students count (not
 * withdrawn, not moved out of its scope). test/integration/stats-cache.test.ts holds the
 * cache to that SQL after random writes of every kind.
 *
 * Which students changed is learnt from SQLite itself, not from the change feed: temporary
 * triggers (connection-local, no migration) note every student whose students or step_states
 * rows this connection inserts, updates or deletes, whichever code path wrote them, and a
 * rolled-back write takes its note with it. Writes by another connection show as a new
 * data_version and mean a full rebuild.
 */

/**
 * A (student, step) as the counts see it: 0 does not apply ('na' or no row), 1 unfinished
 * ('pending' or 'rejected'), 2 passed. Two bits, so SQL can pack a student's steps into one
 * integer and the full read returns one row per student instead of one per step. Arithmetic
 * on comparisons, because a CASE here doubles the time of that read.
 */
const CLASS_SQL = "((st.status = 'passed') + (st.status <> 'na'))";
const applies = (code: number) => code !== 0;
const open = (code: number) => code === 1;
/** 26 two-bit fields stay below 2^53, where a double read back from SQLite is still exact. */
const STEPS_PER_WORD = 26;

/** Above this share of the roster noted as changed, one full read is cheaper than many small ones. */
const REBUILD_SHARE = 0.2;

/** Per student, the step classes packed two bits per step into words of STEPS_PER_WORD steps. */
function packedStepsSql(stepIds: readonly string[]): { text: string; params: string[] } {
  const words: string[] = [];
  const params: string[] = [];
  for (let first = 0; first < stepIds.length; first += STEPS_PER_WORD) {
    const chunk = stepIds.slice(first, first + STEPS_PER_WORD);
    const shift = chunk.map((_, i) => `when ? then ${2 * i}`).join(' ');
    words.push(
      `(select sum(${CLASS_SQL} << (case st.step_id ${shift} end)) from step_states st
         where st.student_no = s.student_no and st.step_id in (${chunk.map(() => '?').join(', ')}))`,
    );
    params.push(...chunk, ...chunk);
  }
  return { text: words.length > 0 ? words.join(', ') : 'null', params };
}

/**
 * No constraint on the notes table, so nothing in a trigger can fail: the conflict policy of the
 * statement that fired it (an upsert, INSERT OR FAIL, UPDATE OR ROLLBACK) overrides the one in
 * the trigger body, and a UNIQUE note table made such writes fail once a second row of the same
 * student was noted. Duplicates are kept out by the NOT EXISTS instead.
 */
const note = (row: 'old' | 'new') =>
  `insert into stats_dirty select ${row}.student_no where not exists (select 1 from stats_dirty where student_no = ${row}.student_no);`;
const trigger = (name: string, event: string, table: string, rows: ('old' | 'new')[]) =>
  `create temp trigger if not exists stats_dirty_${name} after ${event} on ${table} begin ${rows.map(note).join(' ')} end;`;
const DIRTY_SQL = [
  'create temp table if not exists stats_dirty (student_no text);',
  'create index if not exists temp.stats_dirty_student on stats_dirty (student_no);',
  trigger('state_insert', 'insert', 'step_states', ['new']),
  trigger('state_update', 'update of student_no, step_id, status', 'step_states', ['old', 'new']),
  trigger('state_delete', 'delete', 'step_states', ['old']),
  trigger('student_insert', 'insert', 'students', ['new']),
  trigger('student_update', 'update of student_no, college, is_previous, in_scope, withdrawn_reason', 'students', ['old', 'new']),
  trigger('student_delete', 'delete', 'students', ['old']),
].join('\n');

/** One student as the counts see them. */
interface Entry {
  bucket: Bucket;
  /** A class per step (see CLASS_SQL), in batch.steps order. */
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
    const words = packedStepsSql(batch.steps.map((r) => r.step.id));
    const select = `select s.student_no, s.college, s.is_previous, ${words.text} from students s where ${OWN_STUDENT}`;
    this.stmts = {
      everyone: sqlite.prepare(select).raw().bind(...words.params),
      one: sqlite.prepare(`${select} and s.student_no = ?`).raw(),
      wordParams: words.params,
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

  private enter(row: unknown[]): void {
    const [no, college, isPrevious] = row as [string, string, number];
    const codes = new Uint8Array(this.stepIndex.size);
    for (let w = 3; w < row.length; w++) {
      let word = (row[w] as number | null) ?? 0;
      const first = (w - 3) * STEPS_PER_WORD;
      for (let i = first; word > 0; i++) {
        const code = word % 4;
        codes[i] = code;
        word = (word - code) / 4;
      }
    }
    const entry = { bucket: this.bucket(college, isPrevious), codes };
    this.entries.set(no, entry);
    this.contribute(entry, 1);
  }

  private rebuild(): void {
    this.dataVersion = this.currentDataVersion();
    this.buckets.clear();
    this.entries.clear();
    this.sqlite.transaction(() => {
      this.stmts.clearDirty.run();
      for (const row of this.stmts.everyone.all() as unknown[][]) this.enter(row);
    })();
  }

  private reread(studentNo: string): void {
    const old = this.entries.get(studentNo);
    if (old) {
      this.contribute(old, -1);
      this.entries.delete(studentNo);
    }
    const row = this.stmts.one.get(...this.stmts.wordParams, studentNo) as unknown[] | undefined;
    if (row) this.enter(row);
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
