import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OpKind } from '../../src-shared/contract/ops';
import { generateRoster } from '../../src-shared/demo/roster';
import type { BatchIndex } from '../../src-shared/domain/batch';
import { parseBatchDefinitionText } from '../../src-shared/domain/batch-definition';
import type { BatchDef, RosterStudent } from '../../src-shared/domain/types';
import { applyMany, type MutationRequest } from '../../src-main/counter/mutate';
import { createCounterService } from '../../src-main/counter/service';
import { currentSession } from '../../src-main/counter/session';
import { StatsCache, statsCache, type StatsCounts } from '../../src-main/counter/stats-cache';
import { createReplica, openReplica, type Replica } from '../../src-main/db';

const demo = parseBatchDefinitionText(readFileSync(join(__dirname, '../../resources/demo-batch.json'), 'utf8'));

/**
 * The full recomputation: the SQL aggregates stats.checkpoint ran before the cache, verbatim in
 * their rules (stored statuses, 'na' does not apply, a missing row neither applies nor is open).
 */
function recount(sqlite: Database.Database, batch: BatchIndex, checkpointId: string, colleges: 'all' | readonly string[]): StatsCounts {
  const marks = (ids: readonly unknown[]) => ids.map(() => '?').join(', ');
  const counted = (ids: string[]) => ids.filter((id) => batch.def.completionRule === 'all' || batch.step(id).step.required);
  const scope = colleges === 'all' ? { text: '1', params: [] as string[] } : { text: `s.college in (${marks(colleges)})`, params: [...colleges] };
  const schoolSteps = counted(batch.steps.map((r) => r.step.id));
  const school = sqlite
    .prepare(
      `select count(*) as total,
              coalesce(sum(exists (select 1 from step_states u where u.student_no = s.student_no
                and u.step_id in (${marks(schoolSteps)}) and u.status in ('pending', 'rejected'))), 0) as unfinished
       from students s where s.is_previous = 0`,
    )
    .get(...schoolSteps) as { total: number; unfinished: number };
  const allIds = batch.checkpoint(checkpointId).steps.map((s) => s.id);
  const countedIds = counted(allIds);
  type Row = { is_previous: number; total: number; unfinished: number };
  const checkpointRows = sqlite
    .prepare(
      `select s.is_previous, count(*) as total,
              coalesce(sum(exists (select 1 from step_states u where u.student_no = s.student_no
                and u.step_id in (${marks(countedIds)}) and u.status in ('pending', 'rejected'))), 0) as unfinished
       from students s
       where exists (select 1 from step_states a where a.student_no = s.student_no and a.step_id in (${marks(allIds)}) and a.status <> 'na')
         and (${scope.text})
       group by s.is_previous`,
    )
    .all(...countedIds, ...allIds, ...scope.params) as Row[];
  const stepRows = sqlite
    .prepare(
      `select st.step_id, s.is_previous, count(*) as total, sum(st.status in ('pending', 'rejected')) as unfinished
       from step_states st join students s on s.student_no = st.student_no
       where st.step_id in (${marks(allIds)}) and st.status <> 'na' and (${scope.text})
       group by st.step_id, s.is_previous`,
    )
    .all(...allIds, ...scope.params) as (Row & { step_id: string })[];
  const line = (rows: Row[]) => {
    const current = rows.find((r) => r.is_previous === 0);
    const previous = rows.find((r) => r.is_previous === 1);
    return {
      total: current?.total ?? 0,
      unfinished: current?.unfinished ?? 0,
      previousTotal: previous?.total ?? 0,
      previousUnfinished: previous?.unfinished ?? 0,
    };
  };
  return {
    school,
    checkpoint: line(checkpointRows),
    steps: new Map(allIds.map((id) => [id, line(stepRows.filter((r) => r.step_id === id))])),
  };
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface World {
  dir: string;
  replica: Replica;
  students: RosterStudent[];
  colleges: string[];
}

function makeWorld(batch: BatchDef, seed: number, size: number): World {
  const { students, initial } = generateRoster(batch, { seed, size });
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-stats-cache-'));
  const replica = createReplica(join(dir, 'counter.db'), batch, students, initial, {
    deviceId: 'counter-1',
    operator: { id: 'op-1', name: '王老师' },
    grants: batch.checkpoints.map((cp) => ({ checkpointId: cp.id, colleges: 'all' as const })),
  });
  return { dir, replica, students, colleges: [...new Set(students.map((s) => s.college))].sort() };
}

function scopes(world: World): ('all' | string[])[] {
  return ['all', [world.colleges[0]!], world.colleges.slice(1, 4), ['不存在的学院']];
}

/** Every checkpoint in every scope, from the cache and from SQL. */
function expectAgreement(world: World, cache: StatsCache): void {
  const { replica } = world;
  for (const cp of replica.batch.def.checkpoints) {
    for (const colleges of scopes(world)) {
      expect(cache.counts(cp.id, colleges), `${cp.id} ${JSON.stringify(colleges)}`).toEqual(recount(replica.sqlite, replica.batch, cp.id, colleges));
    }
  }
}

const STATUSES = ['pending', 'passed', 'rejected', 'na'] as const;
const KINDS: OpKind[] = ['pass', 'pass', 'pass', 'reject', 'revoke', 'lift', 'impose'];

/** One round of writes of every kind the replica sees: the op path, sync-like raw rows, roster edits, a rollback. */
function randomWrites(world: World, rng: () => number, round: number): void {
  const { replica, students, colleges } = world;
  const { sqlite } = replica;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const stepIds = replica.batch.steps.map((r) => r.step.id);
  const live = () => sqlite.prepare('select student_no from students').pluck().all() as string[];

  const requests: MutationRequest[] = Array.from({ length: 40 }, () => ({
    kind: pick(KINDS),
    studentNo: pick(students).studentNo,
    stepId: pick(stepIds),
    note: '随机',
  }));
  applyMany(replica, currentSession(replica), requests, { onRefusal: 'skip' });

  const setStatus = sqlite.prepare('update step_states set status = ? where student_no = ? and step_id = ?');
  sqlite.transaction(() => {
    for (let i = 0; i < 15; i++) setStatus.run(pick(STATUSES), pick(students).studentNo, pick(stepIds));
  })();

  // The statement's own conflict policy also governs the cache's triggers; none may make a write fail.
  sqlite
    .prepare(
      `insert into step_states (student_no, step_id, status) values (?, ?, ?)
       on conflict (student_no, step_id) do update set status = excluded.status`,
    )
    .run(pick(students).studentNo, pick(stepIds), pick(STATUSES));
  sqlite.prepare("insert or replace into step_states (student_no, step_id, status) values (?, ?, 'passed')").run(pick(students).studentNo, pick(stepIds));
  sqlite.prepare("update or fail step_states set status = 'pending' where student_no = ? and status = 'passed'").run(pick(students).studentNo);

  const nos = live();
  sqlite.prepare('update or abort students set college = ? where student_no = ?').run(pick(colleges), pick(nos));
  sqlite.prepare('update students set is_previous = 1 - is_previous where student_no = ?').run(pick(nos));
  sqlite.prepare('delete from step_states where student_no = ? and step_id = ?').run(pick(nos), pick(stepIds));
  if (round % 3 === 0) sqlite.prepare('delete from students where student_no = ?').run(pick(nos));

  const newNo = `NEW${String(round).padStart(4, '0')}`;
  sqlite
    .prepare(
      `insert into students (student_no, name, gender, college, major, class_name, dorm, id_hash, id_masked, id_last6, is_previous, flags)
       values (?, '新同学', '女', ?, '专业', '班级', null, ?, '**************0000', '000000', ?, '{}')`,
    )
    .run(newNo, pick(colleges), `hash-${newNo}`, round % 2);
  // Every other new student gets no step rows at all: counted by the school line only.
  if (round % 2 === 0) {
    const insert = sqlite.prepare('insert into step_states (student_no, step_id, status) values (?, ?, ?)');
    for (const id of stepIds) insert.run(newNo, id, pick(STATUSES));
  }

  expect(() =>
    sqlite.transaction(() => {
      setStatus.run('passed', pick(nos), pick(stepIds));
      sqlite.prepare('update students set college = ? where student_no = ?').run('回滚学院', pick(nos));
      throw new Error('rolled back');
    })(),
  ).toThrow('rolled back');
}

describe('StatsCache', () => {
  let world: World;
  beforeAll(() => {
    world = makeWorld(demo, 5, 1200);
  });
  afterAll(() => {
    world.replica.close();
    rmSync(world.dir, { recursive: true, force: true });
  });

  it('equals a full recount after random writes, re-reading only the students written', () => {
    const cache = statsCache(world.replica);
    expectAgreement(world, cache);
    const rebuild = vi.spyOn(StatsCache.prototype as unknown as { rebuild(): void }, 'rebuild');
    try {
      const rng = mulberry32(99);
      for (let round = 0; round < 12; round++) {
        randomWrites(world, rng, round);
        expectAgreement(world, cache);
      }
      expect(rebuild).not.toHaveBeenCalled();
      // Temp objects only: the file's schema stays what the migrations made it.
      expect(world.replica.sqlite.prepare("select count(*) from sqlite_master where name like 'stats_dirty%'").pluck().get()).toBe(0);
    } finally {
      rebuild.mockRestore();
    }
  });

  it('equals a cache built afresh from the file', () => {
    const fresh = openReplica(world.replica.path);
    try {
      for (const cp of world.replica.batch.def.checkpoints) {
        for (const colleges of scopes(world)) {
          expect(statsCache(world.replica).counts(cp.id, colleges)).toEqual(statsCache(fresh).counts(cp.id, colleges));
        }
      }
    } finally {
      fresh.close();
    }
  });

  it('follows a write made through another connection', () => {
    const cache = statsCache(world.replica);
    const before = cache.counts('dorm', 'all');
    const other = new Database(world.replica.path);
    try {
      other.prepare("update step_states set status = 'passed' where step_id = 'dorm-clearance' and status = 'pending'").run();
    } finally {
      other.close();
    }
    const after = cache.counts('dorm', 'all');
    expect(after.checkpoint.unfinished).toBeLessThan(before.checkpoint.unfinished);
    expectAgreement(world, cache);
  });

  it('serves stats.checkpoint and stays exact after a large write', () => {
    const service = createCounterService(world.replica);
    world.replica.sqlite.prepare("update step_states set status = 'pending' where status = 'passed' and step_id <> 'return-books'").run();
    const stats = service.call('stats.checkpoint', {});
    const { checkpointId } = currentSession(world.replica);
    const expected = recount(world.replica.sqlite, world.replica.batch, checkpointId, 'all');
    expect(stats.school).toEqual(expected.school);
    expect(stats.checkpoint).toMatchObject(expected.checkpoint);
    for (const line of stats.steps) expect(line).toMatchObject(expected.steps.get(line.id)!);
  });
});

describe('StatsCache under 办结全部', () => {
  it('counts optional steps as unfinished too, incrementally', () => {
    const world = makeWorld({ ...demo, completionRule: 'all' }, 8, 600);
    try {
      const cache = statsCache(world.replica);
      const rng = mulberry32(3);
      for (let round = 0; round < 5; round++) {
        randomWrites(world, rng, round);
        expectAgreement(world, cache);
      }
    } finally {
      world.replica.close();
      rmSync(world.dir, { recursive: true, force: true });
    }
  });
});
