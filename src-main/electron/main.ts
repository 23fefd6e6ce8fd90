import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, safeStorage, session } from 'electron';
import { startBackendWorker, type BackendWorker } from '../backend/client';
import type { UpdateController } from '../updates/update-controller';
import { declareAppScheme, serveRenderer } from './app-protocol';
import { IPC_CALL, IPC_CHANGE, IPC_SAVE_PDF } from './channels';
import { electronIdKeyStore, electronTokenStore } from './device-token';
import { DEV_ONLY_ENV, launchSettings } from './launch-settings';
import { saveReportPdf } from './save-pdf';
import { handleFromApp, lockDownContents, lockDownSession, secureWebPreferences } from './security';
import { startUpdates } from './updater';

/**
 * The Electron shell: one window, one IPC handler. The back end (SQLite, gates, sync) runs in
 * a worker thread so a long import or report never freezes the window.
 */
if (app.isPackaged) for (const name of DEV_ONLY_ENV) delete process.env[name];
const settings = launchSettings({
  isPackaged: app.isPackaged,
  env: process.env,
  argv: process.argv,
  userData: app.getPath('userData'),
  resourcesPath: process.resourcesPath,
});
declareAppScheme();

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
  lockDownContents(win.webContents, settings.appOrigin);
  win.once('ready-to-show', () => win.show());
  const unsubscribe = backend.onChange((event) => {
    if (!win.isDestroyed()) win.webContents.send(IPC_CHANGE, event);
  });
  win.on('closed', unsubscribe);
  await win.loadURL(settings.rendererUrl);
  return win;
}

async function main(): Promise<void> {
  await app.whenReady();
  serveRenderer(join(import.meta.dirname, '../renderer'));
  lockDownSession(session.defaultSession, settings.appOrigin);
  let backend: BackendWorker;
  try {
    backend = await startBackendWorker({
      workerPath: join(import.meta.dirname, 'backend-worker.js'),
      dbPath: settings.dbPath,
      nativeBinding: settings.nativeBinding,
      tokens: await electronTokenStore(safeStorage, settings.dbPath),
      idKeys: await electronIdKeyStore(safeStorage, settings.dbPath),
    });
  } catch (e) {
    dialog.showErrorBox('离校办理台无法启动', (e as Error).message);
    app.exit(1);
    return;
  }
  let callsInFlight = 0;
  // Only an installed app replaces itself; a development run has no installer to hand over to.
  const updates: UpdateController | null = app.isPackaged ? startUpdates(backend, app.getVersion(), () => callsInFlight) : null;
  const refused = '拒绝来自未知页面的请求';
  handleFromApp(ipcMain, IPC_CALL, settings.appOrigin, { ok: false, error: { code: 'forbidden', message: refused } }, async (_event, method: unknown, input: unknown) => {
    if (updates && method === 'update.status') return { ok: true, value: updates.status() };
    if (updates && method === 'update.install') return { ok: true, value: await updates.install() };
    callsInFlight++;
    try {
      return await backend.call(String(method), input);
    } finally {
      callsInFlight--;
    }
  });
  handleFromApp(ipcMain, IPC_SAVE_PDF, settings.appOrigin, { saved: false, error: refused }, (event, suggestedName: unknown) => saveReportPdf(event.sender, suggestedName));
  await createWindow(backend);
  app.on('window-all-closed', () => {
    updates?.stop();
    void backend.close().finally(() => app.quit());
  });
}

void main();
