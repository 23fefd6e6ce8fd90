import type { FastifyInstance } from 'fastify';
import { buildServerApp, type ServerAppOptions } from '../http/app';
import { BatchCache } from '../sync/batch-cache';
import { openThrowawayDatabase, type Backend, type ThrowawayDatabase } from './throwaway-database';

export interface TestServer {
  url: string;
  app: FastifyInstance;
  database: ThrowawayDatabase;
  batches: BatchCache;
  close(): Promise<void>;
}

/** A real server on 127.0.0.1 with a random port, over a throwaway database. */
export async function startTestServer(
  backend: Backend,
  options: Omit<ServerAppOptions, 'db'> = {},
): Promise<TestServer> {
  const database = await openThrowawayDatabase(backend);
  const app = await buildServerApp({ ...options, db: database.db });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: address,
    app,
    database,
    batches: new BatchCache(),
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}
