import type { BrowserWindow, IpcMain, IpcMainInvokeEvent, Session, WebContents } from 'electron';

/**
 * The Electron security checklist in one place: the window may only show the app itself
 * (app://counter, launch-settings.ts; a file: page is never the app),
 * may not open windows or navigate away, and the camera is granted to the app's own origin
 * only (Electron grants every permission unless both handlers are installed). The device token
 * is kept out of the replica, encrypted with safeStorage (device-token.ts).
 */
export function isAppUrl(url: string, appOrigin: string): boolean {
  try {
    const u = new URL(url);
    // Node gives custom schemes the opaque origin "null", so scheme and host are compared instead.
    return u.host !== '' && `${u.protocol}//${u.host}` === appOrigin;
  } catch {
    return false;
  }
}

const CAMERA_PERMISSIONS = new Set(['media']);

export function lockDownSession(session: Session, appOrigin: string): void {
  session.setPermissionRequestHandler((_wc, permission, callback, details) => {
    const url = details.requestingUrl ?? '';
    const videoOnly = permission === 'media' && !(details as { mediaTypes?: string[] }).mediaTypes?.includes('audio');
    callback(CAMERA_PERMISSIONS.has(permission) && videoOnly && isAppUrl(url, appOrigin));
  });
  session.setPermissionCheckHandler((_wc, permission, requestingOrigin) => {
    return CAMERA_PERMISSIONS.has(permission) && isAppUrl(requestingOrigin, appOrigin);
  });
}

export function lockDownContents(contents: WebContents, appOrigin: string): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appOrigin)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, appOrigin)) event.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * The IPC sender check: a call is served only for a frame that shows the app itself; any other
 * frame (a navigated-away or destroyed one, another origin) gets `refusal` and the handler never runs.
 */
export function handleFromApp<Args extends unknown[]>(
  ipc: Pick<IpcMain, 'handle'>,
  channel: string,
  appOrigin: string,
  refusal: unknown,
  handler: (event: IpcMainInvokeEvent, ...args: Args) => unknown,
): void {
  ipc.handle(channel, (event, ...args) => (isAppUrl(event.senderFrame?.url ?? '', appOrigin) ? handler(event, ...(args as Args)) : refusal));
}

export function secureWebPreferences(preload: string): Electron.WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    spellcheck: false,
  };
}

export type { BrowserWindow };
