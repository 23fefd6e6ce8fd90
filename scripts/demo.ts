import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createCounterService } from '../src-main/counter/service';
import { demoDatabasePath, ensureDemoReplica } from '../src-main/demo/demo-replica';
import { startBrowserHost, type BrowserHost } from '../src-main/host/browser-host';
import { connectCounter } from '../src-main/sync/connect';
import { CounterRuntime } from '../src-main/sync/counter-runtime';
import { DEMO_PASSWORD, seedDemo } from '../src-server/demo/seed-demo';
import { startServer } from '../src-server/serve';
import { ensureDemoOperator } from './demo-operator';
import { electronBinary, ensureBuilt, launchElectron, projectRoot } from './electron-app';
import { scriptOptions } from './script-options';

/**
 * `npm run demo`: the central server on PGlite with the demo world, and demo counters
 * connected to it (Electron where its binary is installed and one counter is asked for,
 * otherwise the browser host on 127.0.0.1, printing each URL). `--standalone` runs one
 * counter on a local generated roster without a server, as before sync existed.
 */
const HELP = `用法: npm run demo -- [选项]
  --browser        使用浏览器模式（不启动 Electron）
  --port N         浏览器模式的端口（默认随机）
  --no-open        只打印地址，不自动打开浏览器
  --size N         演示花名册人数（默认 2000）
  --data DIR       演示数据目录（默认 .demo）
  --reset          删除已有演示数据后重新生成
  --counters N     同时打开 N 个柜台（浏览器模式，默认 1），观察柜台之间的同步
  --server-port N  离校服务器的端口（默认随机）
  --setup          柜台不预先登记，打开首次使用的设置页面（服务器地址、工号登录、下载数据）
  --standalone     不启动服务器，只用本机生成的演示数据（单机模式）
  --help           显示本说明`;

const { fail, parse, int, port: portOf } = scriptOptions('演示', HELP);

function openInBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => console.log('（未能自动打开浏览器，请手动打开上面的地址）'));
  child.unref();
}

async function main(): Promise<void> {
  const args = parse({
    browser: { type: 'boolean', default: false },
    port: { type: 'string', default: '0' },
    'no-open': { type: 'boolean', default: false },
    size: { type: 'string', default: '2000' },
    data: { type: 'string', default: join(projectRoot, '.demo') },
    reset: { type: 'boolean', default: false },
    counters: { type: 'string', default: '1' },
    'server-port': { type: 'string', default: '0' },
    standalone: { type: 'boolean', default: false },
    setup: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  });
  if (args.help) {
    console.log(HELP);
    return;
  }
  const port = portOf(args.port);
  const size = int(args.size, 1, 100_000, '人数');
  const counters = int(args.counters, 1, 8, '柜台数');
  const serverPort = portOf(args['server-port']);
  const dataDir = resolve(args.data);
  if (args.reset) rmSync(dataDir, { recursive: true, force: true });
  if (!args.standalone) return withServer(dataDir, { port, serverPort, size, counters, browser: args.browser, open: !args['no-open'], setup: args.setup });

  const dbPath = demoDatabasePath(dataDir);
  const started = Date.now();
  const { replica, created } = ensureDemoReplica({ path: dbPath, size });
  console.log(created ? `已生成演示数据：${size} 名学生（${Date.now() - started} ms）→ ${dbPath}` : `使用已有演示数据：${dbPath}`);

  ensureBuilt();

  if (!args.browser && electronBinary()) {
    replica.close();
    const child = launchElectron([`--db=${dbPath}`], {});
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  if (!args.browser) console.log('未找到 Electron 程序文件，改用浏览器模式。');

  const service = createCounterService(replica);
  const host = await startBrowserHost({ service, rendererDir: join(projectRoot, 'out/renderer'), port });
  console.log(`离校办理台（浏览器模式）已启动: ${host.url}`);
  console.log('按 Ctrl+C 退出。');
  if (!args['no-open']) openInBrowser(host.url);

  const stop = () => {
    void host.close().finally(() => {
      replica.close();
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

interface ServerDemoOptions {
  port: number;
  serverPort: number;
  size: number;
  counters: number;
  browser: boolean;
  open: boolean;
  /** Leave the counters unregistered: they open on the first-run setup screen. */
  setup: boolean;
}

async function withServer(dataDir: string, options: ServerDemoOptions): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const started = Date.now();
  const server = await startServer({ dataDir: join(dataDir, 'server') }, '127.0.0.1', options.serverPort, false);
  const seeded = await seedDemo(server.database.db, options.size);
  const { operatorNo, checkpointId } = await ensureDemoOperator(server);
  console.log(
    seeded.created
      ? `已生成演示服务器数据：${seeded.students} 名学生（${Date.now() - started} ms）`
      : `使用已有演示服务器数据：${join(dataDir, 'server')}`,
  );
  console.log(`离校服务器已启动: ${server.url}（演示密码 ${DEMO_PASSWORD}，主管工号 A0001，柜台工号 ${operatorNo}）`);

  const paths: string[] = [];
  for (let i = 1; i <= options.counters; i++) {
    const path = join(dataDir, `counter-${i}.db`);
    if (!existsSync(path) && !options.setup) {
      const replica = await connectCounter({
        serverUrl: server.url,
        operatorNo,
        password: DEMO_PASSWORD,
        counterName: `演示柜台 ${i}`,
        batchId: seeded.batch.id,
        checkpointId,
        path,
      });
      replica.close();
      console.log(`柜台 ${i} 已登记并下载数据 → ${path}`);
    }
    paths.push(path);
  }

  ensureBuilt();
  if (!options.browser && options.counters === 1 && electronBinary()) {
    const child = launchElectron([`--db=${paths[0]}`], {});
    child.on('exit', (code) => void server.close().finally(() => process.exit(code ?? 0)));
    return;
  }
  if (!options.browser && options.counters === 1) console.log('未找到 Electron 程序文件，改用浏览器模式。');

  const runtimes: CounterRuntime[] = [];
  const hosts: BrowserHost[] = [];
  for (const [i, path] of paths.entries()) {
    const runtime = new CounterRuntime({ path });
    runtimes.push(runtime);
    const host = await startBrowserHost({ service: runtime, rendererDir: join(projectRoot, 'out/renderer'), port: i === 0 ? options.port : 0 });
    hosts.push(host);
    console.log(`离校办理台（浏览器模式）已启动: ${host.url}`);
    if (options.open) openInBrowser(host.url);
  }
  console.log('按 Ctrl+C 退出。');

  const stop = () => {
    void (async () => {
      for (const host of hosts) await host.close();
      for (const runtime of runtimes) await runtime.close();
      await server.close();
    })().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => fail((e as Error).message));
