import { describe, expect, it } from 'vitest';
import { takeTokenFromUrl } from '../../../src-renderer/src/api/http-transport';

class MemoryStorage {
  private readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

function fakeWindow(href: string) {
  const location = { href } as Location;
  const replaced: string[] = [];
  const history = {
    state: null,
    replaceState: (_state: unknown, _title: string, url: string) => {
      replaced.push(url);
      location.href = new URL(url, href).href;
    },
  } as unknown as History;
  return { location, history, replaced };
}

describe('takeTokenFromUrl', () => {
  it('moves the token from the address bar into sessionStorage', () => {
    const storage = new MemoryStorage() as unknown as Storage;
    const win = fakeWindow('http://127.0.0.1:5123/?token=abc123&lang=zh#top');
    expect(takeTokenFromUrl(win.location, win.history, storage)).toBe('abc123');
    expect(win.replaced).toEqual(['/?lang=zh#top']);
    expect(storage.getItem('lixiao.token')).toBe('abc123');
  });

  it('finds the token again after a reload, without touching the URL', () => {
    const storage = new MemoryStorage() as unknown as Storage;
    storage.setItem('lixiao.token', 'abc123');
    const win = fakeWindow('http://127.0.0.1:5123/');
    expect(takeTokenFromUrl(win.location, win.history, storage)).toBe('abc123');
    expect(win.replaced).toEqual([]);
  });

  it('prefers a fresh token in the URL over a stored one', () => {
    const storage = new MemoryStorage() as unknown as Storage;
    storage.setItem('lixiao.token', 'old');
    const win = fakeWindow('http://127.0.0.1:5123/?token=new');
    expect(takeTokenFromUrl(win.location, win.history, storage)).toBe('new');
    expect(storage.getItem('lixiao.token')).toBe('new');
  });
});
