import type { UpdateInstallDto, UpdateStatusDto } from '../../src-shared/contract/update-api';
import { CHECK_INTERVAL_MS, FIRST_CHECK_DELAY_MS, initialStatus, installRefusal, nextStatus, type Activity, type UpdaterEvent } from './update-policy';

/** The part of electron-updater's autoUpdater the counter uses. */
export interface UpdaterPort {
  setFeedURL(url: string): void;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(): void;
  on(event: 'checking-for-update' | 'update-not-available', listener: () => void): void;
  on(event: 'update-available' | 'update-downloaded', listener: (info: { version: string }) => void): void;
  on(event: 'download-progress', listener: (progress: { percent: number }) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}

export interface UpdateControllerOptions {
  currentVersion: string;
  /** The campus server's /updates/ for this counter, or null (not set up yet, or stand-alone). */
  feedUrl(): Promise<string | null>;
  activity(): Promise<Activity>;
  /** Closes the back end (replica, sync) before the installer takes over. */
  beforeInstall(): Promise<void>;
  firstCheckDelayMs?: number;
  checkIntervalMs?: number;
}

/**
 * Runs the update policy against an updater: checks at start and every few hours, keeps the
 * status the header shows, and installs only when the operator asks and nothing is running.
 */
export class UpdateController {
  private current: UpdateStatusDto;
  private feed: string | null = null;
  private timers: NodeJS.Timeout[] = [];
  private installing = false;

  constructor(
    private readonly updater: UpdaterPort,
    private readonly options: UpdateControllerOptions,
  ) {
    this.current = initialStatus(options.currentVersion);
    const apply = (event: UpdaterEvent) => (this.current = nextStatus(this.current, event));
    updater.on('checking-for-update', () => apply({ type: 'checking' }));
    updater.on('update-available', (info) => apply({ type: 'available', version: info.version }));
    updater.on('update-not-available', () => apply({ type: 'not-available' }));
    updater.on('download-progress', (p) => apply({ type: 'progress', percent: p.percent }));
    updater.on('update-downloaded', (info) => apply({ type: 'downloaded', version: info.version }));
    updater.on('error', (e) => apply({ type: 'error', message: e.message }));
  }

  start(): void {
    const first = setTimeout(() => void this.check(), this.options.firstCheckDelayMs ?? FIRST_CHECK_DELAY_MS);
    const every = setInterval(() => void this.check(), this.options.checkIntervalMs ?? CHECK_INTERVAL_MS);
    first.unref();
    every.unref();
    this.timers = [first, every];
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  /** One check; the updater downloads in the background when it finds a higher version. */
  async check(): Promise<void> {
    if (this.current.phase === 'ready' || this.current.phase === 'downloading') return;
    const feed = await this.options.feedUrl();
    if (!feed) return;
    if (feed !== this.feed) {
      this.updater.setFeedURL(feed);
      this.feed = feed;
    }
    // Failures arrive as the 'error' event as well; the promise must not go unhandled.
    await this.updater.checkForUpdates().catch((e: unknown) => (this.current = nextStatus(this.current, { type: 'error', message: (e as Error).message })));
  }

  status(): UpdateStatusDto {
    return this.current;
  }

  async install(): Promise<UpdateInstallDto> {
    if (this.installing) return { installing: true, reason: null };
    const reason = installRefusal(this.current, await this.options.activity());
    if (reason) return { installing: false, reason };
    this.installing = true;
    this.stop();
    await this.options.beforeInstall();
    this.updater.quitAndInstall();
    return { installing: true, reason: null };
  }
}
