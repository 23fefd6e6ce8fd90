import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { migrate } from '../../src-server/db/migrate';
import { MIGRATIONS } from '../../src-server/db/migrations';
import { schemaMigrations } from '../../src-server/db/schema';
import { BACKENDS, openThrowawayDatabase, type ThrowawayDatabase } from '../../src-server/testing/throwaway-database';

describe.each(BACKENDS)('migration runner on %s', (backend) => {
  let database: ThrowawayDatabase;

  beforeAll(async () => {
    database = await openThrowawayDatabase(backend);
  });
  afterAll(async () => {
    await database?.close();
  });

  const versions = async () => (await database.db.select().from(schemaMigrations).orderBy(schemaMigrations.version)).map((m) => m.version);
  const tableExists = async (name: string) => {
    const result = (await database.db.execute(sql`select to_regclass(${name})::text as t`)) as unknown as { rows: { t: string | null }[] };
    return result.rows[0]?.t !== null;
  };

  it('has applied every bundled migration once, and a second run applies none', async () => {
    expect(await versions()).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrate(database.db)).toEqual([]);
  });

  it('applies a migration merged later with a lower version than one already applied', async () => {
    const late = { version: 1001, name: 'late', statements: ['create table late_one (id integer)'] };
    const early = { version: 1000, name: 'early', statements: ['create table early_one (id integer)'] };
    expect(await migrate(database.db, [...MIGRATIONS, late])).toEqual([1001]);
    expect(await migrate(database.db, [...MIGRATIONS, early, late])).toEqual([1000]);
    expect(await tableExists('early_one')).toBe(true);
  });

  it('rolls a failing migration back whole and records nothing of it', async () => {
    const broken = { version: 1002, name: 'broken', statements: ['create table half_done (id integer)', 'select * from no_such_table'] };
    await expect(migrate(database.db, [...MIGRATIONS, broken])).rejects.toThrow();
    expect(await tableExists('half_done')).toBe(false);
    expect(await versions()).not.toContain(1002);
  });
});
