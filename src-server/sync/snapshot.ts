import type { SnapshotHeader, SnapshotLine } from '../../src-shared/contract/sync';
import type { Db } from '../db/database';
import type { AuthenticatedDevice } from '../auth/device-auth';
import type { LoadedBatch } from './batch-cache';
import { deviceScope } from './pull';
import { conflictRow, opRow, studentRow, waiverRow } from './rows';
import { countInScope, readConflicts, readOwnOps, readStateLines, readStudents, readWaivers } from './scoped-queries';
import { position } from './history';

const PAGE = 10000;

/**
 * Writes the device's snapshot as NDJSON chunks: a header, every row in scope as of one seq,
 * then an end line. Read in one repeatable-read transaction, so the rows and the seq agree.
 * `write` must not block: the transaction stays open until every row has been read.
 */
export async function writeSnapshot(
  db: Db,
  batch: LoadedBatch,
  device: AuthenticatedDevice,
  write: (chunk: string) => void,
  /** Rows read per query; small only in tests of the paging. */
  pageSize = PAGE,
): Promise<void> {
  const scope = deviceScope(batch, device);
  await db.transaction(
    async (tx) => {
      const { seq, history, mark } = await position(tx);
      const header: SnapshotHeader = {
        type: 'header',
        seq,
        history,
        mark,
        batch: { id: batch.id, name: batch.name, definition: batch.def },
        idHashKey: batch.idHashKey,
        scope,
        counts: await countInScope(tx, batch.id, device.id, scope),
      };
      write(`${JSON.stringify(header)}\n`);
      let rows = 0;
      const emit = (lines: SnapshotLine[]) => {
        rows += lines.length;
        if (lines.length > 0) write(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      };
      for (let after: string | undefined; ; ) {
        const page = await readStudents(tx, batch.id, scope, null, pageSize, after);
        emit(page.map((r) => studentRow(r, scope)));
        if (page.length < pageSize) break;
        after = page[page.length - 1]!.studentNo;
      }
      for (let after: [string, string] | undefined; ; ) {
        const page = await readStateLines(tx, batch.id, scope, pageSize, after);
        rows += page.length;
        if (page.length > 0) write(page.map((r) => r.line).join('\n') + '\n');
        if (page.length < pageSize) break;
        const last = page[page.length - 1]!;
        after = [last.studentNo, last.stepId];
      }
      for (let after: [string, string] | undefined; ; ) {
        const page = await readWaivers(tx, batch.id, scope, null, pageSize, after);
        emit(page.map(waiverRow));
        if (page.length < pageSize) break;
        const last = page[page.length - 1]!;
        after = [last.studentNo, last.stepId];
      }
      for (let after = 0; ; ) {
        const page = await readConflicts(tx, batch.id, scope, null, pageSize, after);
        emit(page.map(conflictRow));
        if (page.length < pageSize) break;
        after = page[page.length - 1]!.id;
      }
      for (let after = 0; ; ) {
        const page = await readOwnOps(tx, device.id, null, pageSize, after);
        emit(page.map(opRow));
        if (page.length < pageSize) break;
        after = page[page.length - 1]!.seq;
      }
      write(`${JSON.stringify({ type: 'end', seq, rows })}\n`);
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}
