import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskIdCard } from '../../src-shared/scan/classify';
import { restoreBackup, writeBackup } from '../../src-server/admin/backup';
import { storedIdHash } from '../../src-server/auth/tokens';
import { migrate } from '../../src-server/db/migrate';
import { batches, schemaMigrations, students } from '../../src-server/db/schema';
import { BatchCache } from '../../src-server/sync/batch-cache';
import { idCardFor, seedSmallWorld } from '../../src-server/testing/fixtures';
import { BACKENDS, openThrowawayDatabase, type ThrowawayDatabase } from '../../src-server/testing/throwaway-database';

/** Server migration 8: rows written before it keep the region code and the whole digest; after it, what an import writes now. */
describe.each(BACKENDS)('server migration 8 stores less of the 身份证号 on %s', (backend) => {
  let database: ThrowawayDatabase;
  let batchId: string;
  let key: string;

  beforeAll(async () => {
    database = await openThrowawayDatabase(backend);
    ({ batchId } = await seedSmallWorld(database.db, new BatchCache()));
    [{ key }] = (await database.db.select({ key: batches.idHashKey }).from(batches).where(eq(batches.id, batchId))) as [{ key: string }];
  });
  afterAll(async () => {
    await database?.close();
  });

  const rows = () => database.db.select({ studentNo: students.studentNo, idHash: students.idHash, idMasked: students.idMasked, idLast6: students.idLast6 }).from(students).orderBy(students.studentNo);
  const idOf = (studentNo: string) => idCardFor(Number(studentNo.slice(-3)));

  it('an import stores the last 4 in the mask and one hex digit of the keyed hash', async () => {
    const stored = await rows();
    expect(stored.length).toBeGreaterThan(0);
    for (const r of stored) {
      expect(r).toEqual({ studentNo: r.studentNo, idHash: storedIdHash(key, idOf(r.studentNo)), idMasked: maskIdCard(idOf(r.studentNo)), idLast6: idOf(r.studentNo).slice(-6) });
      expect(r.idMasked).toMatch(/^\*{14}[\dX]{4}$/);
    }
  });

  /** Rows as written before migration 8: the region code in the mask, the whole digest. */
  async function previousLayout(before: { studentNo: string }[]): Promise<void> {
    await database.db.transaction(async (tx) => {
      for (const r of before) {
        const id = idOf(r.studentNo);
        const digest = createHmac('sha256', Buffer.from(key, 'hex')).update(id).digest('hex');
        await tx
          .update(students)
          .set({ idHash: digest, idMasked: `${id.slice(0, 6)}********${id.slice(-4)}` })
          .where(sql`${students.batchId} = ${batchId} and ${students.studentNo} = ${r.studentNo}`);
      }
    });
    expect((await rows()).every((r) => r.idHash.length === 64 && /^\d{6}\*/.test(r.idMasked))).toBe(true);
  }

  it('turns rows of the previous layout into exactly those, keeping the last 6 the desk searches by', async () => {
    const before = await rows();
    await previousLayout(before);
    await database.db.delete(schemaMigrations).where(eq(schemaMigrations.version, 8));
    expect(await migrate(database.db)).toEqual([8]);
    expect(await rows()).toEqual(before);
  });

  it('a backup taken before migration 8 is restored as the migration would have left it', async () => {
    const before = await rows();
    await previousLayout(before);
    const dir = mkdtempSync(join(tmpdir(), 'lixiao-id-backup-'));
    const file = join(dir, 'before-8.backup');
    try {
      await writeBackup(database.db, file);
      const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
      lines[0] = JSON.stringify({ ...(JSON.parse(lines[0]!) as object), schemaVersion: 7 });
      writeFileSync(file, gzipSync(lines.join('\n')));
      const target = await openThrowawayDatabase(backend);
      try {
        await restoreBackup(target.db, file);
        const restored = await target.db.select({ studentNo: students.studentNo, idHash: students.idHash, idMasked: students.idMasked, idLast6: students.idLast6 }).from(students).orderBy(students.studentNo);
        expect(restored).toEqual(before);
      } finally {
        await target.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
