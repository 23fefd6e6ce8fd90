import { eq, sql } from 'drizzle-orm';
import { schemaMigrations } from './schema';
import type { Db } from './database';
import { MIGRATIONS, type Migration } from './migrations';

/** Any number, as long as every server process uses the same one. */
const MIGRATION_LOCK = 7_245_001;

/**
 * Applies every bundled migration not yet recorded in schema_migrations, each in its own
 * transaction, by version number (not by timestamp, so a late-merged migration is never skipped).
 * An advisory lock keeps two servers starting at once from both migrating.
 */
export async function migrate(db: Db, migrations: Migration[] = MIGRATIONS): Promise<number[]> {
  await db.execute(sql`create table if not exists schema_migrations (
    version integer primary key,
    name text not null,
    applied_at timestamp with time zone not null default now()
  )`);
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const ran = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      const done = await tx.select().from(schemaMigrations).where(eq(schemaMigrations.version, migration.version));
      if (done.length > 0) return false;
      for (const statement of migration.statements) await tx.execute(sql.raw(statement));
      await tx.insert(schemaMigrations).values({ version: migration.version, name: migration.name });
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}
