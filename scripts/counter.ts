import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startBrowserHost } from '../src-main/host/browser-host';
import { CounterRuntime } from '../src-main/sync/counter-runtime';
import { projectRoot } from './electron-app';
import { scriptOptions } from './script-options';

/**
 * `npm run counter`: the counter back end (CounterRuntime with its sync client, as in the
 * Electron worker) on one replica file, served to a plain browser on 127.0.0.1. For machines
 * without the Electron binary; without a replica file it serves the first-run setup screen.
 */
const HELP = `用法: npm run counter -- [选项]
  --db FILE   柜台数据库文件（默认 .data/counter.db；不存在时打开首次使用的设置页面）
  --port N    浏览器模式的端口（默认随机）
  --help      显示本说明`;

const { fail, parse, port: portOf } = scriptOptions('柜台', HELP);

async function main(): Promise<void> {
  const args = parse({
    db: { type: 'string', default: join(projectRoot, '.data/counter.db') },
    port: { type: 'string', default: '0' },
    help: { type: 'boolean', default: false },
  });
  if (args.help) {
    console.log(HELP);
    return;
  }
  const port = portOf(args.port);
  const rendererDir = join(projectRoot, 'out/renderer');
  // The API answers either way; only the pages need the build.
  if (!existsSync(join(rendererDir, 'index.html'))) console.log('界面尚未构建（npm run build），浏览器中只能使用接口。');

  let runtime: CounterRuntime;
  try {
    runtime = new CounterRuntime({ path: resolve(args.db) });
    await runtime.ready;
  } catch (e) {
    return fail((e as Error).message);
  }
  const host = await startBrowserHost({ service: runtime, rendererDir, port });
  console.log(`离校办理台（浏览器模式）已启动: ${host.url}`);
  console.log('按 Ctrl+C 退出。');

  const stop = () => {
    void host
      .close()
      .then(() => runtime.close())
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => fail((e as Error).message));
