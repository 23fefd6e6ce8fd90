import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseBatchDefinitionText } from '../../src-shared/domain/batch-definition';
import type { BatchDef } from '../../src-shared/domain/types';
import { DEMO_COLLEGES, generateRoster } from '../../src-shared/demo/roster';
import { createReplica, openReplica, type Replica, type ReplicaSessionInput } from '../db';

export const DEMO_BATCH_PATH = resolve(import.meta.dirname, '../../resources/demo-batch.json');
export const DEMO_SEED = 2027;
export const DEMO_COLLEGE = DEMO_COLLEGES[0]!.name;

export function loadDemoBatch(): BatchDef {
  return parseBatchDefinitionText(readFileSync(DEMO_BATCH_PATH, 'utf8'));
}

/**
 * The demo operator holds every checkpoint, as a 学生工作处 supervisor might during the week;
 * the college checkpoints only for one college, so the scope rule is visible in the demo.
 */
export function demoSession(batch: BatchDef, deviceId = 'demo-counter-1'): ReplicaSessionInput {
  return {
    deviceId,
    operator: { id: 'T0001', name: '王老师' },
    grants: batch.checkpoints.map((cp) => ({
      checkpointId: cp.id,
      colleges: cp.scope === 'college' ? [DEMO_COLLEGE] : 'all',
    })),
    checkpointId: 'student-affairs',
  };
}

export interface DemoReplicaOptions {
  path: string;
  size?: number;
  seed?: number;
  deviceId?: string;
}

/** Opens the demo replica, creating it from the demo batch and a generated roster when absent. */
export function ensureDemoReplica({ path, size = 2000, seed = DEMO_SEED, deviceId }: DemoReplicaOptions): {
  replica: Replica;
  created: boolean;
} {
  if (existsSync(path)) return { replica: openReplica(path), created: false };
  mkdirSync(dirname(path), { recursive: true });
  const batch = loadDemoBatch();
  const { students, initial } = generateRoster(batch, { seed, size });
  return { replica: createReplica(path, batch, students, initial, demoSession(batch, deviceId)), created: true };
}

export function demoDatabasePath(dataDir: string): string {
  return join(dataDir, 'counter.db');
}
