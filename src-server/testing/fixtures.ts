import { readFileSync } from 'node:fs';
import { v7 as uuidv7 } from 'uuid';
import type { Op, OpKind } from '../../src-shared/contract/ops';
import { fileURLToPath } from 'node:url';
import { idCardCheckDigit } from '../../src-shared/scan/classify';
import type { BatchDef, RosterStudent } from '../../src-shared/domain/types';
import type { Db } from '../db/database';
import { createBatch } from '../admin/batches';
import { addOperator, grantCheckpoint } from '../admin/operators';
import { storeRoster } from '../admin/roster-store';
import { issueRegistrationCode } from '../auth/registration-codes';
import type { BatchCache } from '../sync/batch-cache';

export const DEMO_BATCH_PATH = fileURLToPath(new URL('../../resources/demo-batch.json', import.meta.url));

export function demoBatchDefinition(): BatchDef {
  return JSON.parse(readFileSync(DEMO_BATCH_PATH, 'utf8')) as BatchDef;
}

/** A valid 18-digit 身份证号 built from a serial number. */
export function idCardFor(serial: number): string {
  const first17 = `43010219990101${String(serial).padStart(3, '0')}`;
  return first17 + idCardCheckDigit(first17);
}

export function student(studentNo: string, college: string, overrides: Partial<RosterStudent> = {}): RosterStudent {
  return {
    studentNo,
    name: `学生${studentNo.slice(-3)}`,
    gender: '男',
    college,
    major: '软件工程',
    className: `${college}1班`,
    dorm: null,
    idCard: idCardFor(Number(studentNo.slice(-3))),
    isPrevious: false,
    flags: {},
    ...overrides,
  };
}

export const PASSWORD = 'counter-pass-1';

/** The demo batch (under another id if given) with four students in two colleges. */
export async function seedBatch(db: Db, batches: BatchCache, batchId = demoBatchDefinition().id): Promise<{ batchId: string }> {
  const def = await createBatch(db, { ...demoBatchDefinition(), id: batchId });
  await storeRoster(db, batches, def.id, [
    student('2023000001', '计算机学院', { flags: { 党团员: true } }),
    student('2023000002', '计算机学院'),
    student('2023000003', '机电工程学院'),
    student('2023000004', '机电工程学院', { isPrevious: true }),
  ]);
  return { batchId: def.id };
}

/**
 * seedBatch plus operators for the checkpoints the tests use: T-LIB (library, whose step is
 * auto), T-DORM (dorm), T-STU (student affairs), T-CS (college checkpoints, 计算机学院 only),
 * T-CERT (certificates, all colleges). All with password PASSWORD.
 */
export async function seedSmallWorld(db: Db, batches: BatchCache, batchId?: string): Promise<{ batchId: string }> {
  const seeded = await seedBatch(db, batches, batchId);
  const ops: [string, string, string, string[]][] = [
    ['T-LIB', '图书馆老师', 'library', []],
    ['T-DORM', '宿管员', 'dorm', []],
    ['T-STU', '学工老师', 'student-affairs', []],
    ['T-CS', '计算机学院老师', 'college', ['计算机学院']],
    ['T-CERT', '证件老师', 'certificates', []],
  ];
  for (const [no, name, checkpoint, colleges] of ops) {
    await addOperator(db, no, name, PASSWORD);
    await grantCheckpoint(db, no, checkpoint, colleges);
  }
  await grantCheckpoint(db, 'T-CS', 'certificates', ['计算机学院']);
  return seeded;
}

/** A fresh one-time registration code, as `npm run admin -- registration-code` issues it. */
export async function registrationCode(db: Db): Promise<string> {
  return (await issueRegistrationCode(db)).code;
}

/** An op as a counter writes it, for tests that push by hand. */
export function counterOp(deviceId: string, deviceSeq: number, operatorId: string, kind: OpKind, studentNo: string, stepId: string, base: number, note = ''): Op {
  return { opId: uuidv7(), deviceId, deviceSeq, operatorId, kind, studentNo, stepId, args: { note }, base: { version: base }, clientTime: new Date().toISOString() };
}
