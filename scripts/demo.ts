import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createCounterService } from '../src-main/counter/service';
import { demoDatabasePath, ensureDemoReplica } from '../src-main/demo/demo-replica';
import { startBrowserHost } from '../src-main/host/browser-host';
import { electronBinary, ensureBuilt, launchElectron, projectRoot } from './electron-app';

/**
 * `npm run demo`: a demo counter on a generated roster. Electron where its binary is
 * installed, otherwise the browser host on 127.0.0.1, printing the URL.
 */
const HELP = `用法: npm run demo -- [选项]
  --browser        使用浏览器模式（不启动 Electron）
  --port N         浏览器模式的端口（默认随机）
  --no-open        只打印地址，不自动打开浏览器
  --size N         演示花名册人数（默认 2000）
  --data DIR       演示数据目录（默认 .demo）
  --reset          删除已有演示数据后重新生成
  --help           显示本说明`;

function fail(message: string): never {
  console.error(`无法启动演示：${message}`);
  process.exit(1);
}

function parse() {
  try {
    return parseArgs({
      options: {
        browser: { type: 'boolean', default: false },
        port: { type: 'string', default: '0' },
        'no-open': { type: 'boolean', default: false },
        size: { type: 'string', default: '2000' },
        data: { type: 'string', default: join(projectRoot, '.demo') },
        reset: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (e) {
    return fail(`${(e as Error).message}\n${HELP}`);
  }
}

function openInBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => console.log('（未能自动打开浏览器，请手动打开上面的地址）'));
  child.unref();
}

async function main(): Promise<void> {
  const args = parse();
  if (args.help) {
    console.log(HELP);
    return;
  }
  const port = Number(args.port);
  const size = Number(args.size);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`端口 "${args.port}" 不正确`);
  if (!Number.isInteger(size) || size < 1 || size > 100_000) fail(`人数 "${args.size}" 不正确（1 到 100000）`);
  const dataDir = resolve(args.data);
  if (args.reset) rmSync(dataDir, { recursive: true, force: true });

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

main().catch((e: unknown) => fail((e as Error).message));
