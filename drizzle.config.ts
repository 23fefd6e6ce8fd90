import { defineConfig } from 'drizzle-kit';

// Generates the local replica's SQL into src-main/db/drizzle; the runner reads the bundled copy
// in src-main/db/migrations.ts, never these files (docs/local-replica.md).
export default defineConfig({
  dialect: 'sqlite',
  schema: './src-main/db/schema.ts',
  out: './src-main/db/drizzle',
});
