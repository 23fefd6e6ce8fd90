import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { UpdateStatusDto } from '../../src-shared/contract/update-api';
import { updateText } from '../../src-shared/i18n/update.zh-CN';
import { UpdateController, type UpdaterPort } from '../../src-main/updates/update-controller';
import { updateFeedUrl } from '../../src-main/updates/update-handlers';
import { initialStatus, installRefusal, isUpgrade, nextStatus, type Activity, type UpdaterEvent } from '../../src-main/updates/update-policy';

const idle: Activity = { callsInFlight: 0, rosterMerge: false, setupDownloading: false };
const run = (events: UpdaterEvent[], from = initialStatus('1.2.0')): UpdateStatusDto => events.reduce(nextStatus, from);

describe('update policy', () => {
  it('offers only a higher version, never a downgrade or the same one', () => {
    expect(isUpgrade('1.2.0', '1.2.1')).toBe(true);
    expect(isUpgrade('1.2.0', '1.10.0')).toBe(true);
    expect(isUpgrade('1.2.0', '1.2.0')).toBe(false);
    expect(isUpgrade('1.2.0', '1.1.9')).toBe(false);
    expect(isUpgrade('1.2.0', 'not-a-version')).toBe(false);
    expect(isUpgrade(null, '9.0.0')).toBe(false);
    expect(run([{ type: 'checking' }, { type: 'available', version: '1.1.0' }, { type: 'downloaded', version: '1.1.0' }]).phase).toBe('idle');
  });

  it('goes checking → downloading with progress → ready, and a later check or failure does not take the download away', () => {
    const downloading = run([{ type: 'checking' }, { type: 'available', version: '1.3.0' }, { type: 'progress', percent: 42.5 }]);
    expect(downloading).toMatchObject({ phase: 'downloading', version: '1.3.0', percent: 42.5 });
    const ready = run([{ type: 'downloaded', version: '1.3.0' }], downloading);
    expect(ready).toMatchObject({ phase: 'ready', version: '1.3.0', error: null });
    expect(run([{ type: 'checking' }, { type: 'not-available' }, { type: 'error', message: 'ECONNREFUSED' }], ready)).toBe(ready);
  });

  it('a corrupt or interrupted download is dropped with a message, and the next check starts afresh', () => {
    const failed = run([{ type: 'available', version: '1.3.0' }, { type: 'progress', percent: 80 }, { type: 'error', message: 'sha512 checksum mismatch' }]);
    expect(failed).toMatchObject({ phase: 'failed', version: null, percent: null, error: `${updateText.failed}：sha512 checksum mismatch` });
    expect(run([{ type: 'checking' }, { type: 'not-available' }], failed)).toMatchObject({ phase: 'idle', error: null });
  });

  it('installs only a downloaded update, and never while an operation, a roster merge or the first download runs', () => {
    const ready = run([{ type: 'available', version: '1.3.0' }, { type: 'downloaded', version: '1.3.0' }]);
    expect(installRefusal(initialStatus('1.2.0'), idle)).toBe(updateText.notReady);
    expect(installRefusal(ready, { ...idle, callsInFlight: 1 })).toBe(updateText.busy.call);
    expect(installRefusal(ready, { ...idle, rosterMerge: true })).toBe(updateText.busy.rosterMerge);
    expect(installRefusal(ready, { ...idle, setupDownloading: true })).toBe(updateText.busy.setup);
    expect(installRefusal(ready, idle)).toBeNull();
  });

  it("the feed is the counter's own server at /updates/", () => {
    expect(updateFeedUrl('https://lixiao.campus.edu.cn')).toBe('https://lixiao.campus.edu.cn/updates/');
    expect(updateFeedUrl('https://campus.edu.cn/lixiao/')).toBe('https://campus.edu.cn/lixiao/updates/');
    expect(updateFeedUrl(null)).toBeNull();
  });
});

/**
 * A fake of electron-updater's autoUpdater: the real one needs the Electron binary, which cannot
 * be downloaded here. It records what the controller asks of it and emits what the tests say.
 */
class FakeUpdater extends EventEmitter implements UpdaterPort {
  feeds: string[] = [];
  checks = 0;
  installs = 0;
  checkResult: Promise<unknown> = Promise.resolve(null);
  setFeedURL(url: string) {
    this.feeds.push(url);
  }
  checkForUpdates() {
    this.checks++;
    return this.checkResult;
  }
  quitAndInstall() {
    this.installs++;
  }
}

describe('update controller', () => {
  function setUp(feed: string | null = 'https://server.campus/updates/', activity: Activity = idle) {
    const updater = new FakeUpdater();
    const closed: string[] = [];
    const state = { feed, activity };
    const controller = new UpdateController(updater, {
      currentVersion: '1.2.0',
      feedUrl: async () => state.feed,
      activity: async () => state.activity,
      beforeInstall: async () => void closed.push('backend'),
    });
    return { updater, controller, closed, state };
  }

  it('does not check before the counter knows its server, then checks there', async () => {
    const { updater, controller, state } = setUp(null);
    await controller.check();
    expect(updater.checks).toBe(0);
    state.feed = 'https://server.campus/updates/';
    await controller.check();
    await controller.check();
    expect(updater.feeds).toEqual(['https://server.campus/updates/']);
    expect(updater.checks).toBe(2);
  });

  it('follows the updater to 已下载, refuses 重启更新 mid-operation, then closes the back end and installs', async () => {
    const { updater, controller, closed, state } = setUp('https://server.campus/updates/', { ...idle, callsInFlight: 2 });
    updater.emit('checking-for-update');
    updater.emit('update-available', { version: '1.3.0' });
    updater.emit('download-progress', { percent: 50 });
    expect(controller.status()).toMatchObject({ phase: 'downloading', percent: 50 });
    await controller.check();
    expect(updater.checks).toBe(0);
    updater.emit('update-downloaded', { version: '1.3.0' });
    expect(controller.status()).toMatchObject({ phase: 'ready', version: '1.3.0' });

    expect(await controller.install()).toEqual({ installing: false, reason: updateText.busy.call });
    expect(updater.installs).toBe(0);
    state.activity = idle;
    expect(await controller.install()).toEqual({ installing: true, reason: null });
    expect(closed).toEqual(['backend']);
    expect(updater.installs).toBe(1);
  });

  it('a failed check (server unreachable) is shown, and the counter goes on', async () => {
    const { updater, controller } = setUp();
    updater.checkResult = Promise.reject(new Error('net::ERR_CONNECTION_REFUSED'));
    await controller.check();
    expect(controller.status()).toMatchObject({ phase: 'failed', error: `${updateText.failed}：net::ERR_CONNECTION_REFUSED` });
    expect(await controller.install()).toEqual({ installing: false, reason: updateText.notReady });
  });
});
