import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBackendWorker, type BackendWorker } from '../../src-main/backend/client';
import { ensureDemoReplica } from '../../src-main/demo/demo-replica';

// The worker entry is TypeScript; tsx's loader lets a plain Node worker thread run it.
const WORKER = join(import.meta.dirname, 'fixtures/backend-worker-entry.mjs');

describe('the back end in a worker thread (what Electron runs)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-worker-'));
  const dbPath = join(dir, 'counter.db');
  ensureDemoReplica({ path: dbPath, size: 120 }).replica.close();
  let backend: BackendWorker | null = null;

  afterAll(async () => {
    await backend?.close();
  });

  it('answers calls and forwards change events', async () => {
    backend = await startBackendWorker({ workerPath: WORKER, dbPath });
    const session = await backend.call('session.get', {});
    expect(session).toMatchObject({ ok: true, value: { checkpointId: 'student-affairs', operator: { name: '王老师' } } });

    const search = await backend.call('students.search', { current: 'notDone', prereq: 'done', limit: 1 });
    expect(search.ok).toBe(true);
    const studentNo = (search as { value: { rows: { studentNo: string }[] } }).value.rows[0]!.studentNo;

    const events: unknown[] = [];
    backend.onChange((e) => events.push(e));
    const applied = await backend.call('steps.apply', { studentNo, stepId: 'return-student-card', action: 'pass', note: '' });
    expect(applied.ok).toBe(true);
    await expect.poll(() => events.length).toBe(1);
    expect(events[0]).toEqual({ type: 'changed', studentNos: [studentNo], source: 'local' });
  });

  it('turns bad calls into Chinese error responses', async () => {
    backend ??= await startBackendWorker({ workerPath: WORKER, dbPath });
    const r = await backend.call('no.such.method', {});
    expect(r.ok).toBe(false);
    expect((r as { error: { message: string } }).error.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('refuses to start on a file that is not a database, with the reason', async () => {
    const bad = join(dir, 'not-a-db.db');
    writeFileSync(bad, 'hello, this is not sqlite at all'.repeat(200));
    await expect(startBackendWorker({ workerPath: WORKER, dbPath: bad })).rejects.toThrow(/[\u4e00-\u9fff]/);
  });
});
