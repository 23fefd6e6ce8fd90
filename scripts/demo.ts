import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openReplica } from '../src-main/db';
import { readMeta, writeMeta } from '../src-main/db/meta';
import { demoDatabasePath, ensureDemoReplica } from '../src-main/demo/demo-replica';
import { startBrowserHost, type BrowserHost } from '../src-main/host/browser-host';
import { connectCounter } from '../src-main/sync/connect';
import { issueRegistrationCode } from '../src-server/auth/registration-codes';
import { CounterRuntime } from '../src-main/sync/counter-runtime';
import { DEMO_CONSOLE_ADMIN, DEMO_LEADERS, DEMO_PASSWORD, demoStudentLogin, seedDemo } from '../src-server/demo/seed-demo';
import { startServer, type RunningServer } from '../src-server/serve';
import { certificateFingerprint, readTlsFiles, writeSelfSigned, type TlsFiles } from '../src-server/tls/certificates';
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
  --server-port N  离校服务器的端口（默认沿用上次的端口，首次随机）
  --setup          柜台不预先登记，打开首次使用的设置页面（服务器地址、工号登录、下载数据）
  --tls            服务器使用 HTTPS（自签名证书在 <数据目录>/tls，首次运行时生成），柜台核对并固定其指纹
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
    tls: { type: 'boolean', default: false },
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
  if (!args.standalone) return withServer(dataDir, { port, serverPort, size, counters, browser: args.browser, open: !args['no-open'], setup: args.setup, tls: args.tls });

  const dbPath = demoDatabasePath(dataDir);
  const started = Date.now();
  const { replica, created } = ensureDemoReplica({ path: dbPath, size });
  console.log(created ? `已生成演示数据：${size} 名学生（${Date.now() - started} ms）→ ${dbPath}` : `使用已有演示数据：${dbPath}`);

  ensureBuilt();

  replica.close();
  if (!args.browser && electronBinary()) {
    const child = launchElectron([`--db=${dbPath}`], {});
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  if (!args.browser) console.log('未找到 Electron 程序文件，改用浏览器模式。');

  // As the app opens it: a demo replica from an older version gets its secrets moved out on the way.
  const runtime = new CounterRuntime({ path: dbPath });
  await runtime.ready;
  const host = await startBrowserHost({ service: runtime, rendererDir: join(projectRoot, 'out/renderer'), port });
  console.log(`离校办理台（浏览器模式）已启动: ${host.url}`);
  console.log('按 Ctrl+C 退出。');
  if (!args['no-open']) openInBrowser(host.url);

  const stop = () => {
    void host.close().finally(() => {
      void runtime.close().finally(() => process.exit(0));
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

const PORT_FILE = 'server-port';

/**
 * Counters keep the server's address in their replica, so a re-run listens on the port of the
 * last run (kept beside the data) unless told otherwise; a port taken meanwhile gives way to a
 * free one, and pointCountersAt then moves this demo's own counters along.
 */
async function startDemoServer(dataDir: string, requested: number, tls: TlsFiles | undefined): Promise<RunningServer> {
  const target = { dataDir: join(dataDir, 'server') };
  const portFile = join(dataDir, PORT_FILE);
  const listenOn = (port: number) => ({ host: '127.0.0.1', port, logger: false, ...(tls ? { tls } : {}) });
  const remembered = requested === 0 && existsSync(portFile) ? Number(readFileSync(portFile, 'utf8').trim()) : 0;
  let server: RunningServer | null = null;
  if (remembered > 0) {
    server = await startServer(target, listenOn(remembered)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EADDRINUSE') throw e;
      console.log(`上次使用的服务器端口 ${remembered} 已被占用，改用新端口。`);
      return null;
    });
  }
  server ??= await startServer(target, listenOn(requested));
  writeFileSync(portFile, new URL(server.url).port);
  return server;
}

/** This demo's counters sync with this demo's server: same data, so only the address is rewritten. */
function pointCountersAt(serverUrl: string, paths: string[]): void {
  for (const [i, path] of paths.entries()) {
    if (!existsSync(path)) continue;
    const replica = openReplica(path);
    try {
      const previous = readMeta(replica.sqlite, 'serverUrl');
      if (previous === null || previous === serverUrl) continue;
      writeMeta(replica.sqlite, 'serverUrl', serverUrl);
      console.log(`柜台 ${i + 1} 的服务器地址已从 ${previous} 改为 ${serverUrl}`);
    } finally {
      replica.close();
    }
  }
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
  /** Serve HTTPS with a self-signed certificate made on the first run. */
  tls: boolean;
}

/** The demo's self-signed certificate for 127.0.0.1, made once (openssl) and reused. */
async function demoTls(dataDir: string): Promise<TlsFiles & { fingerprint: string }> {
  const dir = join(dataDir, 'tls');
  const certPath = join(dir, 'server-cert.pem');
  const keyPath = join(dir, 'server-key.pem');
  if (!existsSync(certPath)) await writeSelfSigned('127.0.0.1', dir);
  return { ...readTlsFiles(certPath, keyPath), fingerprint: certificateFingerprint(certPath).fingerprint };
}

async function withServer(dataDir: string, options: ServerDemoOptions): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const started = Date.now();
  const tls = options.tls ? await demoTls(dataDir) : undefined;
  const server = await startDemoServer(dataDir, options.serverPort, tls);
  const seeded = await seedDemo(server.database.db, options.size);
  const { operatorNo, checkpointId } = await ensureDemoOperator(server);
  console.log(
    seeded.created
      ? `已生成演示服务器数据：${seeded.students} 名学生（${Date.now() - started} ms）`
      : `使用已有演示服务器数据：${join(dataDir, 'server')}`,
  );
  console.log(`离校服务器已启动: ${server.url}（演示密码 ${DEMO_PASSWORD}，主管工号 A0001，柜台工号 ${operatorNo}）`);
  const leaders = DEMO_LEADERS.map((l) => `${l.operatorNo} ${l.colleges.length > 0 ? l.colleges.join('、') : '全校'}`).join('，');
  console.log(`离校管理控制台: ${server.url}/console/（管理员 ${DEMO_CONSOLE_ADMIN}，领导查询 ${leaders}；密码 ${DEMO_PASSWORD}）`);
  const student = await demoStudentLogin(server.database.db, options.size);
  console.log(
    student
      ? `学生离校查询: ${server.url}/student/（演示学生 学号 ${student.studentNo}，身份证号后6位 ${student.last6}）`
      : `学生离校查询: ${server.url}/student/（学号 + 身份证号后6位登录）`,
  );
  if (tls) console.log(`服务器证书 SHA-256 指纹: ${tls.fingerprint}`);

  const paths: string[] = [];
  for (let i = 1; i <= options.counters; i++) {
    const path = join(dataDir, `counter-${i}.db`);
    if (!existsSync(path) && !options.setup) {
      const replica = await connectCounter({
        serverUrl: server.url,
        ...(tls ? { certificate: { pin: tls.fingerprint } } : {}),
        operatorNo,
        password: DEMO_PASSWORD,
        counterName: `演示柜台 ${i}`,
        batchId: seeded.batch.id,
        checkpointId,
        path,
        // The demo is its own administrator: it issues the code an IT office would read out.
        registrationCode: (await issueRegistrationCode(server.database.db)).code,
      });
      replica.close();
      console.log(`柜台 ${i} 已登记并下载数据 → ${path}`);
    } else if (!existsSync(path)) {
      const { code } = await issueRegistrationCode(server.database.db);
      console.log(`柜台 ${i} 的注册码（一次有效，24 小时内）: ${code}`);
    }
    paths.push(path);
  }
  pointCountersAt(server.url, paths);

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
