import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { snapshotLineSchema, type SnapshotHeader, type SnapshotLine } from '../../src-shared/contract/sync';
import { BatchIndex } from '../../src-shared/domain/batch';
import { syncText } from '../../src-shared/i18n/sync.zh-CN';
import { batchedInsert } from '../db/batched-insert';
import { writeMeta } from '../db/meta';
import { replicaIdFields } from '../db/id-hash';
import { fileIdKeyStore } from '../db/id-key-store';
import type { ReplicaSecretStore } from './device-token-store';
import { writeSeenPosition } from '../db/server-history';
import { openDatabase, openReplica, type Replica } from '../db/open';
import { ReplicaError } from '../db/replica-error';
import { validateSession, writeSession, type ReplicaSessionInput } from '../db/session-store';
import { writeStoredScope } from '../db/roster-scope-store';
import { bodyChunks, SyncError, type SyncHttp } from './server-http';
import { writeServerTrust } from './server-trust';

export interface SnapshotProgress {
  done: number;
  total: number;
}

export interface DownloadReplicaOptions {
  /** Authenticated as the device. */
  api: SyncHttp;
  path: string;
  /** Who registered the counter; grants outside the snapshot's batch are dropped. */
  session: ReplicaSessionInput;
  onProgress?: (progress: SnapshotProgress) => void;
  signal?: AbortSignal;
  /** Where the 身份证号 hash key from the snapshot is kept; a file next to the replica when omitted. */
  idKeys?: ReplicaSecretStore;
}

const PROGRESS_EVERY = 2000;

/** fsync: the file's data (or a directory's entries, for a rename) is on disk when this returns. */
function syncToDisk(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function removeFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}

/**
 * Writes snapshot lines into the new replica. Students and the server's rows go in as they
 * arrive (state rows, 95% of a large snapshot, many per statement); the local view (a
 * step_states row for every student and step: the server row, or pending, or 'na' where the
 * student's flags rule the step out) is built at the end in one set-based statement, which
 * costs SQLite half of what binding 400,000 rows from JavaScript does.
 */
function loader(sqlite: Database.Database, batch: BatchIndex) {
  sqlite.exec(`create temp table snapshot_steps (step_id text primary key, flag text);
    create temp table snapshot_flags (student_no text not null, flag text not null, primary key (student_no, flag)) without rowid;`);
  const addStep = sqlite.prepare('insert into temp.snapshot_steps (step_id, flag) values (?, ?)');
  for (const { step } of batch.steps) addStep.run(step.id, step.appliesTo === 'all' ? null : step.appliesTo.flag);
  const insertStudent = sqlite.prepare(
    `insert into students (student_no, name, gender, college, major, class_name, dorm, id_hash, id_masked, id_last6, is_previous, flags,
       in_scope, withdrawn_reason)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const addFlag = sqlite.prepare('insert or ignore into temp.snapshot_flags (student_no, flag) values (?, ?)');
  const serverStates = batchedInsert(sqlite, 'server_step_states', [
    'student_no', 'step_id', 'status', 'note', 'version', 'updated_at', 'updated_by', 'updated_by_name', 'last_op_id',
  ]);
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
  const store = (line: SnapshotLine): void => {
    switch (line.type) {
      case 'student': {
        const id = replicaIdFields(line);
        insertStudent.run(
          line.studentNo,
          line.name,
          line.gender,
          line.college,
          line.major,
          line.className,
          line.dorm,
          id.idHash,
          id.idMasked,
          line.idLast6,
          line.isPrevious ? 1 : 0,
          JSON.stringify(line.flags),
          line.inScope ? 1 : 0,
          line.withdrawnReason,
        );
        for (const [flag, set] of Object.entries(line.flags)) if (set) addFlag.run(line.studentNo, flag);
        return;
      }
      case 'state':
        serverStates.add(line.studentNo, line.stepId, line.status, line.note, line.version, line.updatedAt, line.updatedBy, line.updatedByName, line.lastOpId);
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
  const finish = (): void => {
    serverStates.flush();
    sqlite.exec(`
      insert into step_states (student_no, step_id, status, note, version, updated_at, updated_by, updated_by_name)
      select student_no, step_id,
        case when applies then coalesce(status, 'pending') else 'na' end,
        case when applies then coalesce(note, '') else '' end,
        coalesce(version, 0), updated_at, updated_by, updated_by_name
      from (
        select s.student_no, t.step_id, ss.status, ss.note, ss.version, ss.updated_at, ss.updated_by, ss.updated_by_name,
          t.flag is null or exists (select 1 from temp.snapshot_flags f where f.student_no = s.student_no and f.flag = t.flag) as applies
        from students s
        cross join temp.snapshot_steps t
        left join server_step_states ss on ss.student_no = s.student_no and ss.step_id = t.step_id
      )
      order by student_no, step_id;
      drop table temp.snapshot_steps;
      drop table temp.snapshot_flags;`);
  };
  return { store, finish };
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

/**
 * The body's lines. Each chunk is split once: cutting one line at a time off the front of the
 * buffer copies the rest of the chunk for every line, which made an 87 MB snapshot take 20 s.
 */
export async function* lines(res: Response): AsyncGenerator<string> {
  for await (const batch of lineBatches(res)) yield* batch;
}

/** The body's lines, as many at a time as each chunk holds: one await per chunk, not per line. */
async function* lineBatches(res: Response): AsyncGenerator<string[]> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of bodyChunks(res)) {
    const parts = (rest + decoder.decode(chunk, { stream: true })).split('\n');
    rest = parts.pop()!;
    yield parts.filter((line) => line.trim() !== '');
  }
  rest += decoder.decode();
  if (rest.trim() !== '') yield [rest];
}

/**
 * The first download: the server's snapshot streamed into a new replica. It is written to a
 * side file in one transaction and moved into place only after the end line arrived and the
 * row count matched, so a cut connection never leaves a half replica that would later look
 * complete. Then pulls continue from the snapshot's seq.
 */
export async function downloadReplica(options: DownloadReplicaOptions): Promise<Replica> {
  const { api, path } = options;
  const idKeys = options.idKeys ?? fileIdKeyStore;
  if (existsSync(path)) throw new ReplicaError(syncText.replicaExists(path));
  const partial = `${path}.download`;
  removeFiles(partial);
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort(options.signal?.reason));
  const res = await api.stream('/api/sync/snapshot', controller.signal);
  const sqlite = openDatabase(partial, { create: true });
  // The side file is thrown away unless the whole snapshot arrives, so it needs no journal and
  // no syncs while loading; it is synced once before it is moved into place. The large cache
  // keeps SQLite from spilling half-built pages of one big transaction.
  sqlite.pragma('journal_mode = OFF');
  sqlite.pragma('synchronous = OFF');
  sqlite.pragma('cache_size = -262144');
  let finished = false;
  let idHashKey = '';
  try {
    let header: SnapshotHeader | null = null;
    let store: ReturnType<typeof loader> | null = null;
    let total = 0;
    let done = 0;
    sqlite.exec('begin immediate');
    try {
      read: for await (const batch of lineBatches(res)) for (const text of batch) {
        const line = parseLine(text);
        if (line.type === 'header') {
          header = line;
          idHashKey = line.idHashKey;
          const batch = new BatchIndex(line.batch.definition);
          const grants = (options.session.grants ?? []).filter((g) => batch.hasCheckpoint(g.checkpointId));
          if (grants.length === 0) throw new SyncError(syncText.noGrantInBatch, 403);
          const session = validateSession(batch, { ...options.session, grants });
          sqlite.prepare('insert into batch (slot, id, definition, loaded_at) values (1, ?, ?, ?)').run(
            line.batch.id,
            JSON.stringify(line.batch.definition),
            new Date().toISOString(),
          );
          writeMeta(sqlite, 'serverUrl', api.baseUrl);
          if (api.trust) writeServerTrust(sqlite, api.trust);
          writeSession(sqlite, session);
          writeStoredScope(sqlite, line.scope);
          sqlite.prepare('insert into sync_state (slot, cursor, server_seq, last_pull_at) values (1, ?, ?, ?)').run(line.seq, line.seq, new Date().toISOString());
          writeSeenPosition(sqlite, { history: line.history, seq: line.seq, mark: line.mark });
          const c = line.counts;
          total = c.students + c.states + c.waivers + c.conflicts + c.ops;
          store = loader(sqlite, batch);
          options.onProgress?.({ done: 0, total });
          continue;
        }
        if (!header || !store) throw new SyncError(syncText.snapshotCut, null);
        if (line.type === 'end') {
          if (line.rows !== done) throw new SyncError(syncText.snapshotCount(line.rows, done), null);
          store.finish();
          finished = true;
          break read;
        }
        store.store(line);
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
  sqlite.close();
  syncToDisk(partial);
  // The key goes to its store (never into the file) before the replica appears; a new
  // registration at this path replaces it.
  try {
    await idKeys.write(path, idHashKey);
  } catch (e) {
    removeFiles(partial);
    throw e;
  }
  renameSync(partial, path);
  syncToDisk(dirname(path));
  return openReplica(path, { idKeys });
}
