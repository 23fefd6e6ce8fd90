import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, launchSettings } from '../../src-main/electron/launch-settings';
import { isAppUrl } from '../../src-main/electron/security';

const base = { argv: ['electron', 'out/main/index.js'], userData: '/home/op/.config/lixiao', resourcesPath: '/opt/lixiao/resources' };
const devEnv = { ELECTRON_RENDERER_URL: 'http://localhost:5173', LIXIAO_SQLITE_BINDING: '/tmp/evil.node' };

describe('launch settings', () => {
  it('a packaged app ignores the development variables: renderer from app://, better-sqlite3 from app.asar.unpacked', () => {
    const s = launchSettings({ ...base, isPackaged: true, env: devEnv });
    expect(s.rendererUrl).toBe('app://counter/index.html');
    expect(s.appOrigin).toBe(APP_ORIGIN);
    expect(s.nativeBinding).toBe('/opt/lixiao/resources/app.asar.unpacked/node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(s.dbPath).toBe('/home/op/.config/lixiao/counter.db');
  });

  it('a development run uses the dev server and its own better-sqlite3 build; --db= picks the replica', () => {
    const s = launchSettings({ ...base, argv: [...base.argv, '--db=/data/c1.db'], isPackaged: false, env: devEnv });
    expect(s).toEqual({ rendererUrl: 'http://localhost:5173', appOrigin: 'http://localhost:5173', dbPath: '/data/c1.db', nativeBinding: '/tmp/evil.node' });
    expect(launchSettings({ ...base, isPackaged: false, env: {} }).rendererUrl).toBe('app://counter/index.html');
  });
});

describe('the app origin check (navigation, IPC sender, permissions)', () => {
  it('accepts app://counter only; a file: page, another host or scheme is not the app', () => {
    expect(isAppUrl('app://counter/index.html#/report', APP_ORIGIN)).toBe(true);
    expect(isAppUrl('app://counter', APP_ORIGIN)).toBe(true);
    expect(isAppUrl('file:///home/op/Downloads/phish.html', APP_ORIGIN)).toBe(false);
    expect(isAppUrl('file:///opt/lixiao/resources/app.asar/out/renderer/index.html', APP_ORIGIN)).toBe(false);
    expect(isAppUrl('app://other/index.html', APP_ORIGIN)).toBe(false);
    expect(isAppUrl('https://counter/index.html', APP_ORIGIN)).toBe(false);
    expect(isAppUrl('not a url', APP_ORIGIN)).toBe(false);
    expect(isAppUrl('http://localhost:5173/x', 'http://localhost:5173')).toBe(true);
  });
});
