import { existsSync, rmSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { BatchIndex, isApplicable } from '../../src-shared/domain/batch';
import { parseBatchDefinition } from '../../src-shared/domain/batch-definition';
import type { InitialState, RosterStudent } from '../../src-shared/domain/types';
import { maskIdCard } from '../../src-shared/scan/classify';
import { newIdHashKey, storedIdHash } from './id-hash';
import { removeIdKeyFileSync, writeIdKeyFileSync } from './id-key-store';
import { openDatabase, wrapReplica, type Replica } from './open';
import { ReplicaError } from './replica-error';
import { assertRosterValid } from './roster-check';
import { validateSession, writeSession, type ReplicaSessionInput } from './session-store';

export interface CreateReplicaOptions {
  /** The server's key, when the replica mirrors a server batch; otherwise a fresh random one. Kept in `<path>.idkey`. */
  idHashKey?: string;
  now?: () => Date;
}

function loadRoster(
  sqlite: Database.Database,
  batch: BatchIndex,
  roster: RosterStudent[],
  initial: InitialState[],
  idHashKey: string,
): void {
  const insertStudent = sqlite.prepare(
    `insert into students (student_no, name, gender, college, major, class_name, dorm, id_hash, id_masked, id_last6, is_previous, flags)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertState = sqlite.prepare('insert into step_states (student_no, step_id, status, note) values (?, ?, ?, ?)');
  const given = new Map<string, InitialState>();
  for (const st of initial) given.set(`${st.studentNo}\u0000${st.stepId}`, st);
  // Inserting in key order keeps every B-tree append-only: five times faster than roster order.
  const ordered = [...roster].sort((a, b) => (a.studentNo < b.studentNo ? -1 : a.studentNo > b.studentNo ? 1 : 0));
  for (const s of ordered) {
    const idCard = s.idCard.trim().toUpperCase();
    insertStudent.run(
      s.studentNo,
      s.name.trim(),
      s.gender,
      s.college.trim(),
      s.major.trim(),
      s.className.trim(),
      s.dorm?.trim() || null,
      storedIdHash(idHashKey, idCard),
      maskIdCard(idCard),
      idCard.slice(-6),
      s.isPrevious ? 1 : 0,
      JSON.stringify(s.flags),
    );
    for (const { step } of batch.steps) {
      if (!isApplicable(step, s.flags)) {
        insertState.run(s.studentNo, step.id, 'na', '');
        continue;
      }
      const st = given.get(`${s.studentNo}\u0000${step.id}`);
      insertState.run(s.studentNo, step.id, st?.status ?? 'pending', st?.note ?? '');
    }
  }
}

function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
  removeIdKeyFileSync(path);
}

/**
 * Creates a new replica file from a batch definition, a roster and its initial states. Everything
 * is validated before the file exists, and loaded in one transaction: a bad roster leaves no file
 * behind, and an existing file is never overwritten.
 */
export function createReplica(
  path: string,
  batchDef: unknown,
  roster: RosterStudent[],
  initial: InitialState[],
  session: ReplicaSessionInput,
  options: CreateReplicaOptions = {},
): Replica {
  const batch = new BatchIndex(parseBatchDefinition(batchDef));
  const validSession = validateSession(batch, session);
  assertRosterValid(batch, roster, initial);
  if (options.idHashKey !== undefined && !/^[0-9a-f]{64}$/.test(options.idHashKey)) {
    throw new ReplicaError('身份证号密钥格式不正确（应为 64 位十六进制）');
  }
  if (existsSync(path)) throw new ReplicaError(`数据库文件 ${path} 已存在，为防止覆盖已有数据，请换一个文件名`);

  const sqlite = openDatabase(path, { create: true });
  try {
    const loadedAt = (options.now?.() ?? new Date()).toISOString();
    const idHashKey = options.idHashKey ?? newIdHashKey();
    sqlite.transaction(() => {
      sqlite
        .prepare('insert into batch (slot, id, definition, loaded_at) values (1, ?, ?, ?)')
        .run(batch.def.id, JSON.stringify(batch.def), loadedAt);
      writeSession(sqlite, validSession);
      sqlite.prepare('insert into sync_state (slot) values (1)').run();
      loadRoster(sqlite, batch, roster, initial, idHashKey);
    })();
    // Beside the file, not in it; a Node store (Electron encrypts it at its next start).
    writeIdKeyFileSync(path, idHashKey);
    return wrapReplica(path, sqlite);
  } catch (e) {
    sqlite.close();
    removeDatabaseFiles(path);
    throw e;
  }
}

