import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, safeStorage, session, type IpcMainInvokeEvent } from 'electron';
import { startBackendWorker, type BackendWorker } from '../backend/client';
import { IPC_CALL, IPC_CHANGE, IPC_SAVE_PDF } from './channels';
import { electronTokenStore } from './device-token';
import { saveReportPdf } from './save-pdf';
import { isAppUrl, lockDownContents, lockDownSession, secureWebPreferences } from './security';

/**
 * The Electron shell: one window, one IPC handler. The back end (SQLite, gates, sync) runs in
 * a worker thread so a long import or report never freezes the window.
 */
const devServerUrl = process.env['ELECTRON_RENDERER_URL'];
const appOrigin = devServerUrl ? new URL(devServerUrl).origin : 'file://';

function dbPath(): string {
  const fromArg = process.argv.find((a) => a.startsWith('--db='));
  return fromArg ? fromArg.slice('--db='.length) : (process.env['LIXIAO_DB'] ?? join(app.getPath('userData'), 'counter.db'));
}

function nativeBinding(): string | undefined {
  return process.env['LIXIAO_SQLITE_BINDING'] ?? undefined;
}

async function createWindow(backend: BackendWorker): Promise<BrowserWindow> {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1280,
    minHeight: 720,
    show: false,
    title: '离校办理台',
    webPreferences: secureWebPreferences(join(import.meta.dirname, '../preload/index.cjs')),
  });
  lockDownContents(win.webContents, appOrigin);
  win.once('ready-to-show', () => win.show());
  const unsubscribe = backend.onChange((event) => {
    if (!win.isDestroyed()) win.webContents.send(IPC_CHANGE, event);
  });
  win.on('closed', unsubscribe);
  if (devServerUrl) await win.loadURL(devServerUrl);
  else await win.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  return win;
}

async function main(): Promise<void> {
  await app.whenReady();
  lockDownSession(session.defaultSession, appOrigin);
  let backend: BackendWorker;
  try {
    const path = dbPath();
    backend = await startBackendWorker({
      workerPath: join(import.meta.dirname, 'backend-worker.js'),
      dbPath: path,
      nativeBinding: nativeBinding(),
      tokens: await electronTokenStore(safeStorage, path),
    });
  } catch (e) {
    dialog.showErrorBox('离校办理台无法启动', (e as Error).message);
    app.exit(1);
    return;
  }
  ipcMain.handle(IPC_CALL, (event: IpcMainInvokeEvent, method: unknown, input: unknown) => {
    const url = event.senderFrame?.url ?? '';
    if (!isAppUrl(url, appOrigin)) {
      return { ok: false, error: { code: 'forbidden', message: '拒绝来自未知页面的请求' } };
    }
    return backend.call(String(method), input);
  });
  ipcMain.handle(IPC_SAVE_PDF, (event: IpcMainInvokeEvent, suggestedName: unknown) => {
    if (!isAppUrl(event.senderFrame?.url ?? '', appOrigin)) return { saved: false, error: '拒绝来自未知页面的请求' };
    return saveReportPdf(event.sender, suggestedName);
  });
  await createWindow(backend);
  app.on('window-all-closed', () => {
    void backend.close().finally(() => app.quit());
  });
}

void main();
