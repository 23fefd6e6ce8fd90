import { describe, expect, it } from 'vitest';
import type { IpcMain, IpcMainInvokeEvent, Session, WebContents } from 'electron';
import { APP_ORIGIN } from '../../src-main/electron/launch-settings';
import { handleFromApp, lockDownContents, lockDownSession, secureWebPreferences } from '../../src-main/electron/security';

/**
 * FAKE Electron objects: the binary is not installed where the tests run, and the checks are plain
 * logic behind Electron's hooks. Each fake records what security.ts installs and fires it as
 * Electron would, with Electron's argument order.
 */
type PermissionRequest = (wc: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string; mediaTypes?: string[] }) => void;
type PermissionCheck = (wc: unknown, permission: string, requestingOrigin: string) => boolean;

function fakeElectronSession() {
  const installed: { request?: PermissionRequest; check?: PermissionCheck } = {};
  const session = {
    setPermissionRequestHandler: (handler: PermissionRequest) => (installed.request = handler),
    setPermissionCheckHandler: (handler: PermissionCheck) => (installed.check = handler),
  };
  return {
    session: session as unknown as Session,
    request(permission: string, details: { requestingUrl?: string; mediaTypes?: string[] }): boolean {
      let granted: boolean | undefined;
      installed.request!(null, permission, (g) => (granted = g), details);
      if (granted === undefined) throw new Error('the request handler never answered');
      return granted;
    },
    check: (permission: string, origin: string) => installed.check!(null, permission, origin),
  };
}

function fakeElectronWebContents() {
  const listeners = new Map<string, ((event: { preventDefault(): void }, url?: string) => void)[]>();
  let openHandler: ((details: { url: string }) => { action: string }) | undefined;
  const contents = {
    on(name: string, listener: (event: { preventDefault(): void }, url?: string) => void) {
      listeners.set(name, [...(listeners.get(name) ?? []), listener]);
      return contents;
    },
    setWindowOpenHandler: (handler: typeof openHandler) => (openHandler = handler),
  };
  return {
    contents: contents as unknown as WebContents,
    /** Fires an event as Electron does; true if some listener prevented it. */
    emit(name: string, url?: string): boolean {
      let prevented = false;
      const handlers = listeners.get(name) ?? [];
      if (handlers.length === 0) throw new Error(`nothing listens to ${name}`);
      for (const listener of handlers) listener({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    },
    open: (url: string) => openHandler!({ url }).action,
  };
}

function fakeElectronIpcMain() {
  const handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown>();
  return {
    ipc: { handle: (channel: string, handler: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown) => handlers.set(channel, handler) } as unknown as Pick<IpcMain, 'handle'>,
    invoke: (channel: string, frameUrl: string | null, ...args: unknown[]) =>
      handlers.get(channel)!({ senderFrame: frameUrl === null ? null : { url: frameUrl } } as unknown as IpcMainInvokeEvent, ...args),
  };
}

const APP_PAGE = `${APP_ORIGIN}/index.html#/report`;
const FOREIGN = ['https://evil.example/', 'file:///home/op/Downloads/phish.html', 'app://other/index.html', 'app://counter.evil.example/', 'http://counter/', 'about:blank', ''];

describe('Electron session permissions (fake session)', () => {
  it('grants the camera, video only, to the app itself and nothing else to anyone', () => {
    const fake = fakeElectronSession();
    lockDownSession(fake.session, APP_ORIGIN);
    expect(fake.request('media', { requestingUrl: APP_PAGE, mediaTypes: ['video'] })).toBe(true);
    expect(fake.request('media', { requestingUrl: APP_PAGE, mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(fake.request('media', { requestingUrl: APP_PAGE, mediaTypes: ['audio'] })).toBe(false);
    expect(fake.request('media', { mediaTypes: ['video'] })).toBe(false);
    for (const url of FOREIGN) expect(fake.request('media', { requestingUrl: url, mediaTypes: ['video'] }), url).toBe(false);
    for (const permission of ['geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'midi']) {
      expect(fake.request(permission, { requestingUrl: APP_PAGE }), permission).toBe(false);
      expect(fake.check(permission, APP_ORIGIN), permission).toBe(false);
    }
    expect(fake.check('media', APP_ORIGIN)).toBe(true);
    for (const origin of FOREIGN) expect(fake.check('media', origin), origin).toBe(false);
  });
});

describe('Electron window contents (fake webContents)', () => {
  it('stays on the app: navigation and redirects away are stopped, new windows and webviews denied', () => {
    const fake = fakeElectronWebContents();
    lockDownContents(fake.contents, APP_ORIGIN);
    for (const event of ['will-navigate', 'will-redirect']) {
      expect(fake.emit(event, `${APP_ORIGIN}/index.html#/quick`), event).toBe(false);
      for (const url of FOREIGN) expect(fake.emit(event, url), `${event} ${url}`).toBe(true);
    }
    expect(fake.open('https://evil.example/')).toBe('deny');
    expect(fake.open(APP_PAGE)).toBe('deny');
    expect(fake.emit('will-attach-webview')).toBe(true);
  });

  it('opens every window isolated and sandboxed, without Node', () => {
    expect(secureWebPreferences('/app/preload.cjs')).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    });
  });
});

describe('IPC sender check (fake ipcMain)', () => {
  it('runs a handler only for a frame of the app; any other frame, or none, gets the refusal', async () => {
    const fake = fakeElectronIpcMain();
    const served: unknown[][] = [];
    const refusal = { ok: false, error: { code: 'forbidden', message: '拒绝来自未知页面的请求' } };
    handleFromApp(fake.ipc, 'counter:call', APP_ORIGIN, refusal, (_event, ...args: unknown[]) => (served.push(args), { ok: true, value: args[0] }));
    expect(await fake.invoke('counter:call', APP_PAGE, 'session.get', {})).toEqual({ ok: true, value: 'session.get' });
    for (const url of [...FOREIGN, null]) expect(await fake.invoke('counter:call', url, 'steps.apply', {}), String(url)).toBe(refusal);
    expect(served).toEqual([['session.get', {}]]);
  });

  it('follows the origin it is given: a development run accepts its dev server and not the app scheme', async () => {
    const fake = fakeElectronIpcMain();
    handleFromApp(fake.ipc, 'counter:save-pdf', 'http://localhost:5173', { saved: false }, () => ({ saved: true }));
    expect(await fake.invoke('counter:save-pdf', 'http://localhost:5173/#/report')).toEqual({ saved: true });
    for (const url of [APP_PAGE, 'http://localhost:5174/', 'http://localhost:5173@evil.example/']) {
      expect(await fake.invoke('counter:save-pdf', url), url).toEqual({ saved: false });
    }
  });
});
