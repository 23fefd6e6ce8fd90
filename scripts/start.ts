import { electronBinary, ensureBuilt, launchElectron } from './electron-app';

/**
 * `npm start`: the desktop app on this user's own replica (first run: the setup screen).
 * Goes through launchElectron so better-sqlite3 gets its Electron-ABI build.
 */
if (!electronBinary()) {
  console.error('未安装 Electron 程序文件：请先运行 node node_modules/electron/install.js，或使用浏览器模式 npm run demo -- --browser');
  process.exit(1);
}
ensureBuilt();
const child = launchElectron(process.argv.slice(2), {});
child.on('exit', (code) => process.exit(code ?? 0));
