import { spawnSync } from 'node:child_process';
import { electronBinary, projectRoot } from './electron-app';

/** Runs the Electron e2e where the binary exists; says plainly when it cannot. */
if (!electronBinary()) {
  console.log('Electron e2e: 本机没有 Electron 程序文件（安装时无法下载），已在 Chromium 中通过浏览器模式测试同一界面。');
  process.exit(0);
}
const run = spawnSync('npx', ['playwright', 'test', '-c', 'playwright.electron.config.ts'], { cwd: projectRoot, stdio: 'inherit' });
process.exit(run.status ?? 1);
