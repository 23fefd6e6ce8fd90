import electronUpdater from 'electron-updater';
import type { BackendWorker } from '../backend/client';
import { UpdateController } from '../updates/update-controller';
import type { Activity } from '../updates/update-policy';

/**
 * electron-updater against the campus server the counter was set up with (generic provider,
 * /updates/), never the internet. Downloads in the background; installs on 重启更新 or at quit.
 */
export function startUpdates(backend: BackendWorker, version: string, callsInFlight: () => number): UpdateController {
  const { autoUpdater } = electronUpdater;
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.allowDowngrade = false;
  autoUpdater.allowPrerelease = false;
  const value = async <T>(method: string): Promise<T | null> => {
    const answer = await backend.call(method, {});
    return answer.ok ? (answer.value as T) : null;
  };
  const controller = new UpdateController(
    {
      setFeedURL: (url) => autoUpdater.setFeedURL({ provider: 'generic', url }),
      checkForUpdates: () => autoUpdater.checkForUpdates(),
      // Silent on Windows (the per-user installer needs nobody), and the counter starts again.
      quitAndInstall: () => autoUpdater.quitAndInstall(true, true),
      on: (event: string, listener: (...args: never[]) => void) => autoUpdater.on(event as 'error', listener as () => void),
    },
    {
      currentVersion: version,
      feedUrl: async () => (await value<{ url: string | null }>('update.feed'))?.url ?? null,
      activity: async (): Promise<Activity> => {
        const sync = await value<{ rosterMerge: unknown }>('sync.status');
        const setup = await value<{ progress: unknown }>('setup.state');
        return { callsInFlight: callsInFlight(), rosterMerge: Boolean(sync?.rosterMerge), setupDownloading: Boolean(setup?.progress) };
      },
      beforeInstall: () => backend.close(),
    },
  );
  controller.start();
  return controller;
}
