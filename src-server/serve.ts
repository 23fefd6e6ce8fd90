import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openDatabase, type Database, type DatabaseTarget } from './db/database';
import { buildServerApp } from './http/app';
import type { TlsFiles } from './tls/certificates';

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  database: Database;
  close(): Promise<void>;
}

export interface ListenOptions {
  host: string;
  port: number;
  logger?: boolean;
  /** HTTPS with these files; plain HTTP without. */
  tls?: TlsFiles;
  trustProxy?: boolean;
}

/** Opens (and migrates) the database and listens; close() stops both, in that order. */
export async function startServer(target: DatabaseTarget, options: ListenOptions): Promise<RunningServer> {
  const { host, port } = options;
  const database = await openDatabase(target);
  const positionFile = 'dataDir' in target ? `${resolve(target.dataDir)}.position.json` : undefined;
  const app = await buildServerApp({
    db: database.db,
    logger: options.logger ?? true,
    ...(options.tls ? { https: options.tls } : {}),
    trustProxy: options.trustProxy ?? false,
    positionFile,
  });
  try {
    const url = await app.listen({ host, port });
    return {
      url,
      app,
      database,
      close: async () => {
        await app.close();
        await database.close();
      },
    };
  } catch (e) {
    await app.close();
    await database.close();
    throw e;
  }
}
