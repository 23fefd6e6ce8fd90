import { createInterface } from 'node:readline';
import { seedDemo } from '../../src-server/demo/seed-demo';
import { startServer } from '../../src-server/serve';
import { issueRegistrationCode } from '../../src-server/auth/registration-codes';
import { ensureDemoOperator } from '../../scripts/demo-operator';

/**
 * The central server of the report bench, in its own process so its memory is its own: PGlite in
 * `dataDir`, the demo world of `size` students. Prints one JSON line when ready; closes on "close".
 */
const [dataDir, size] = [process.argv[2]!, Number(process.argv[3])];
const server = await startServer({ dataDir }, { host: '127.0.0.1', port: 0, logger: false });
const seeded = await seedDemo(server.database.db, size);
const operator = await ensureDemoOperator(server);
const { code: registrationCode } = await issueRegistrationCode(server.database.db);
console.log(JSON.stringify({ url: server.url, batchId: seeded.batch.id, registrationCode, ...operator }));
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'close') break;
}
await server.close();
process.exit(0);
