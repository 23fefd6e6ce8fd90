import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../db/database';

export type Backend = 'pglite' | 'postgres';
export const BACKENDS: Backend[] = ['pglite', 'postgres'];

/** The PostgreSQL server throwaway databases are created on (its maintenance database). */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ThrowawayDatabase extends Database {
  /** The connection URL (postgres) or null (in-memory PGlite). */
  url: string | null;
}

/**
 * A fresh, migrated database that disappears on close: in-memory PGlite, or a uniquely named
 * database on the test PostgreSQL server, dropped afterwards. For tests and benchmarks.
 */
export async function openThrowawayDatabase(backend: Backend): Promise<ThrowawayDatabase> {
  if (backend === 'pglite') return { ...(await openDatabase({ memory: true })), url: null };
  const name = `lixiao_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  return {
    ...database,
    url: url.toString(),
    close: async () => {
      await database.close();
      const dropper = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
