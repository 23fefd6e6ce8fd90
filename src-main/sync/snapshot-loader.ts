import { existsSync, renameSync, rmSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { snapshotLineSchema, type SnapshotHeader, type SnapshotLine } from '../../src-shared/contract/sync';
import { BatchIndex, isApplicable } from '../../src-shared/domain/batch';
import { syncText } from '../../src-shared/i18n/sync.zh-CN';
import { writeMeta } from '../db/meta';
import { openDatabase, openReplica, type Replica } from '../db/open';
import { ReplicaError } from '../db/replica-error';
import { validateSession, writeSession, type ReplicaSessionInput } from '../db/session-store';
import { bodyChunks, SyncError, type SyncHttp } from './server-http';

export interface SnapshotProgress {
  done: number;
  total: number;
}

export interface DownloadReplicaOptions {
  /** Authenticated as the device. */
  api: SyncHttp;
  token: string;
  path: string;
  /** Who registered the counter; grants outside the snapshot's batch are dropped. */
  session: ReplicaSessionInput;
  onProgress?: (progress: SnapshotProgress) => void;
  signal?: AbortSignal;
}

const PROGRESS_EVERY = 2000;

function removeFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}

function loader(sqlite: Database.Database, batch: BatchIndex) {
  const insertStudent = sqlite.prepare(
    `insert into students (student_no, name, gender, college, major, class_name, dorm, id_hash, id_masked, id_last6, is_previous, flags)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertStep = sqlite.prepare('insert into step_states (student_no, step_id, status, note, version) values (?, ?, ?, \'\', 0)');
  const serverState = sqlite.prepare(
    `insert into server_step_states (student_no, step_id, status, note, version, updated_at, updated_by, updated_by_name, last_op_id)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // A state row for a step the student's flags rule out keeps 'na' (the replica's invariant).
  const localState = sqlite.prepare(
    `update step_states set status = case when status = 'na' then 'na' else ? end, note = case when status = 'na' then '' else ? end,
       version = ?, updated_at = ?, updated_by = ?, updated_by_name = ? where student_no = ? and step_id = ?`,
  );
  const serverWaiver = sqlite.prepare(
    `insert into server_waivers (student_no, step_id, lifted, note, version, updated_at, updated_by, last_op_id) values (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const localWaiver = sqlite.prepare(
    'insert into waivers (student_no, step_id, lifted, note, version, updated_at, updated_by) values (?, ?, ?, ?, ?, ?, ?)',
  );
  const conflict = sqlite.prepare(
    `insert into conflicts (id, kind, student_no, step_id, winning_op_id, flagged_op_id, detail, resolved, resolved_by, resolved_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return (line: SnapshotLine): void => {
    switch (line.type) {
      case 'student':
        insertStudent.run(
          line.studentNo,
          line.name,
          line.gender,
          line.college,
          line.major,
          line.className,
          line.dorm,
          line.idHash,
          line.idCardMasked,
          line.idLast6,
          line.isPrevious ? 1 : 0,
          JSON.stringify(line.flags),
        );
        for (const { step } of batch.steps) insertStep.run(line.studentNo, step.id, isApplicable(step, line.flags) ? 'pending' : 'na');
        return;
      case 'state':
        serverState.run(line.studentNo, line.stepId, line.status, line.note, line.version, line.updatedAt, line.updatedBy, line.updatedByName, line.lastOpId);
        localState.run(line.status, line.note, line.version, line.updatedAt, line.updatedBy, line.updatedByName, line.studentNo, line.stepId);
        return;
      case 'waiver':
        serverWaiver.run(line.studentNo, line.stepId, line.lifted ? 1 : 0, line.note, line.version, line.updatedAt, line.updatedBy, line.lastOpId);
        localWaiver.run(line.studentNo, line.stepId, line.lifted ? 1 : 0, line.note, line.version, line.updatedAt, line.updatedBy);
        return;
      case 'conflict':
        conflict.run(line.id, line.kind, line.studentNo, line.stepId, line.winningOpId, line.flaggedOpId, line.detail, line.resolved ? 1 : 0, line.resolvedBy, line.resolvedAt);
        return;
      // A new device has no outbox: outcomes of its own earlier ops have nothing to acknowledge.
      case 'op':
      case 'header':
      case 'end':
        return;
    }
  };
}

export function parseLine(text: string): SnapshotLine {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SyncError(syncText.snapshotCut, null);
  }
  const result = snapshotLineSchema.safeParse(json);
  if (!result.success) throw new SyncError(syncText.snapshotCut, null);
  return result.data;
}

export async function* lines(res: Response): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of bodyChunks(res)) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim() !== '') yield line;
    }
  }
  buffer += decoder.decode();
  if (buffer.trim() !== '') yield buffer;
}

/**
 * The first download: the server's snapshot streamed into a new replica. It is written to a
 * side file in one transaction and moved into place only after the end line arrived and the
 * row count matched, so a cut connection never leaves a half replica that would later look
 * complete. Then pulls continue from the snapshot's seq.
 */
export async function downloadReplica(options: DownloadReplicaOptions): Promise<Replica> {
  const { api, path } = options;
  if (existsSync(path)) throw new ReplicaError(syncText.replicaExists(path));
  const partial = `${path}.download`;
  removeFiles(partial);
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort(options.signal?.reason));
  const res = await api.stream('/api/sync/snapshot', controller.signal);
  const sqlite = openDatabase(partial, { create: true });
  let finished = false;
  try {
    let header: SnapshotHeader | null = null;
    let store: ((line: SnapshotLine) => void) | null = null;
    let total = 0;
    let done = 0;
    sqlite.exec('begin immediate');
    try {
      for await (const text of lines(res)) {
        const line = parseLine(text);
        if (line.type === 'header') {
          header = line;
          const batch = new BatchIndex(line.batch.definition);
          const grants = (options.session.grants ?? []).filter((g) => batch.hasCheckpoint(g.checkpointId));
          if (grants.length === 0) throw new SyncError(syncText.noGrantInBatch, 403);
          const session = validateSession(batch, { ...options.session, grants });
          sqlite.prepare('insert into batch (slot, id, definition, loaded_at) values (1, ?, ?, ?)').run(
            line.batch.id,
            JSON.stringify(line.batch.definition),
            new Date().toISOString(),
          );
          writeMeta(sqlite, 'idHashKey', line.idHashKey);
          writeMeta(sqlite, 'serverUrl', api.baseUrl);
          writeMeta(sqlite, 'deviceToken', options.token);
          writeSession(sqlite, session);
          sqlite.prepare('insert into sync_state (slot, cursor, server_seq, last_pull_at) values (1, ?, ?, ?)').run(line.seq, line.seq, new Date().toISOString());
          const c = line.counts;
          total = c.students + c.states + c.waivers + c.conflicts + c.ops;
          store = loader(sqlite, batch);
          options.onProgress?.({ done: 0, total });
          continue;
        }
        if (!header || !store) throw new SyncError(syncText.snapshotCut, null);
        if (line.type === 'end') {
          if (line.rows !== done) throw new SyncError(syncText.snapshotCount(line.rows, done), null);
          finished = true;
          break;
        }
        store(line);
        done += 1;
        if (done % PROGRESS_EVERY === 0) {
          options.onProgress?.({ done, total });
          // Lets the event loop breathe: the operator's window and other requests stay responsive.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      if (!finished) throw new SyncError(syncText.snapshotCut, null);
      sqlite.exec('commit');
      options.onProgress?.({ done, total });
    } catch (e) {
      if (sqlite.inTransaction) sqlite.exec('rollback');
      throw e;
    }
  } catch (e) {
    sqlite.close();
    removeFiles(partial);
    if ((e as Error).name === 'TypeError' || (e as Error).name === 'AbortError') throw new SyncError(syncText.snapshotCut, null);
    throw e;
  } finally {
    if (!finished) controller.abort();
  }
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
  renameSync(partial, path);
  removeFiles(partial);
  return openReplica(path);
}
