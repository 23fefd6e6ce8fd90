import { createInterface } from 'node:readline';
import { projectRoot } from '../../scripts/electron-app';
import { startBrowserHost } from '../../src-main/host/browser-host';
import { CounterRuntime } from '../../src-main/sync/counter-runtime';
import { join } from 'node:path';

/**
 * The counter back end of the report bench, in its own process as in the app (there a worker
 * thread of Electron's main process): the runtime with its sync client on a replica file, and the
 * browser host the bench calls as the renderer would. Answers "memory" with its figures, taken
 * as they stand and again after a full garbage collection (node --expose-gc).
 */
const runtime = new CounterRuntime({ path: process.argv[2]! });
await runtime.ready;
const host = await startBrowserHost({ service: runtime, rendererDir: join(projectRoot, 'out/renderer') });
console.log(JSON.stringify({ url: host.url, token: host.token, port: host.port }));
const gc = (globalThis as { gc?: () => void }).gc;
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'memory') {
    const asIs = process.memoryUsage();
    gc?.();
    const collected = process.memoryUsage();
    console.log(JSON.stringify({ rss: asIs.rss, heapUsed: asIs.heapUsed, rssAfterGc: collected.rss, heapAfterGc: collected.heapUsed, external: collected.external }));
  } else if (line === 'close') break;
}
await host.close();
await runtime.close();
process.exit(0);
