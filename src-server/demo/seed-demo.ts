import { readFileSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { fileURLToPath } from 'node:url';
import { DEMO_COLLEGES, generateRoster } from '../../src-shared/demo/roster';
import type { BatchDef } from '../../src-shared/domain/types';
import type { Db } from '../db/database';
import { createBatch, listBatches } from '../admin/batches';
import { createApiKey } from '../admin/devices';
import { addOperator, grantCheckpoint } from '../admin/operators';
import { storeRoster } from '../admin/roster-store';
import { BatchCache } from '../sync/batch-cache';
import { setConsoleRole } from '../console-auth/accounts';
import { students } from '../db/schema';

export const DEMO_BATCH_FILE = fileURLToPath(new URL('../../resources/demo-batch.json', import.meta.url));
export const DEMO_PASSWORD = 'demo1234';
export const DEMO_SEED = 2027;
export const DEMO_SIZE = 2000;

export interface DemoOperator {
  operatorNo: string;
  name: string;
  grants: { checkpointId: string; colleges: string[] }[];
}

/** One operator per school checkpoint, one per college for the college checkpoints, and a supervisor with everything. */
export function demoOperators(def: BatchDef): DemoOperator[] {
  const list: DemoOperator[] = [
    { operatorNo: 'A0001', name: '离校办主管', grants: def.checkpoints.map((c) => ({ checkpointId: c.id, colleges: [] })) },
  ];
  def.checkpoints
    .filter((c) => c.scope === 'school')
    .forEach((c, i) => list.push({ operatorNo: `S${String(i + 1).padStart(4, '0')}`, name: `${c.name}老师`, grants: [{ checkpointId: c.id, colleges: [] }] }));
  const collegeCheckpoints = def.checkpoints.filter((c) => c.scope === 'college');
  DEMO_COLLEGES.forEach((college, i) =>
    list.push({
      operatorNo: `C${String(i + 1).padStart(4, '0')}`,
      name: `${college.name}老师`,
      grants: collegeCheckpoints.map((c) => ({ checkpointId: c.id, colleges: [college.name] })),
    }),
  );
  return list;
}

/** Console logins of the demo: A0001 is also the 管理员; two 领导查询, the school's and one college's. */
export const DEMO_CONSOLE_ADMIN = 'A0001';
export const DEMO_LEADERS = [
  { operatorNo: 'L0001', name: '校领导', colleges: [] as string[] },
  { operatorNo: 'L0002', name: `${DEMO_COLLEGES[0]!.name}副书记`, colleges: [DEMO_COLLEGES[0]!.name] },
];

/** Idempotent, so demo data made before the console existed gets its logins too. */
export async function ensureDemoConsoleAccounts(db: Db): Promise<void> {
  await setConsoleRole(db, DEMO_CONSOLE_ADMIN, 'admin');
  for (const leader of DEMO_LEADERS) {
    await addOperator(db, leader.operatorNo, leader.name, DEMO_PASSWORD);
    await setConsoleRole(db, leader.operatorNo, 'leader', leader.colleges.length > 0 ? { kind: 'colleges', colleges: leader.colleges } : { kind: 'school' });
  }
}

export interface DemoSeedResult {
  batch: BatchDef;
  created: boolean;
  students: number;
  operators: DemoOperator[];
  apiKeys: { id: string; key: string }[];
}

/**
 * The demo world: the demo batch, a generated roster with its initial statuses, demo operators
 * (password DEMO_PASSWORD) and API keys for the library and finance feeds. Run on an empty
 * database; on one that already has the demo batch it changes nothing.
 */
export async function seedDemo(db: Db, size = DEMO_SIZE): Promise<DemoSeedResult> {
  const definition = JSON.parse(readFileSync(DEMO_BATCH_FILE, 'utf8')) as BatchDef;
  const existing = (await listBatches(db)).find((b) => b.id === definition.id);
  if (existing) {
    await ensureDemoConsoleAccounts(db);
    return { batch: existing.definition, created: false, students: 0, operators: demoOperators(existing.definition), apiKeys: [] };
  }
  const def = await createBatch(db, definition);
  const roster = generateRoster(def, { seed: DEMO_SEED, size });
  await storeRoster(db, new BatchCache(), def.id, roster.students, roster.initial);
  const operators = demoOperators(def);
  for (const op of operators) {
    await addOperator(db, op.operatorNo, op.name, DEMO_PASSWORD);
    for (const g of op.grants) await grantCheckpoint(db, op.operatorNo, g.checkpointId, g.colleges);
  }
  await ensureDemoConsoleAccounts(db);
  const apiKeys: { id: string; key: string }[] = [];
  for (const checkpoint of def.checkpoints) {
    const auto = checkpoint.steps.filter((s) => s.mode === 'auto').map((s) => s.id);
    if (auto.length === 0) continue;
    apiKeys.push({ id: checkpoint.id, key: await createApiKey(db, checkpoint.id, `${checkpoint.name}系统`, def.id, auto) });
  }
  return { batch: def, created: true, students: roster.students.length, operators, apiKeys };
}

/**
 * A demo student to try the student page with: the first of the generated roster, with the last
 * 6 of their generated 身份证号 (the server keeps no copy it could print). Null when the demo data
 * was made with another roster size and lacks that student.
 */
export async function demoStudentLogin(db: Db, size = DEMO_SIZE): Promise<{ studentNo: string; last6: string } | null> {
  const def = JSON.parse(readFileSync(DEMO_BATCH_FILE, 'utf8')) as BatchDef;
  const first = generateRoster(def, { seed: DEMO_SEED, size }).students[0];
  if (!first) return null;
  const [row] = await db
    .select({ studentNo: students.studentNo })
    .from(students)
    .where(and(eq(students.batchId, def.id), eq(students.studentNo, first.studentNo)));
  return row ? { studentNo: first.studentNo, last6: first.idCard.slice(-6) } : null;
}
