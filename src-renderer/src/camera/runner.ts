/** The part of html5-qrcode the runner drives; a fake stands in for it in the unit tests. */
export interface Scanner {
  start(cameraId: string, onDecode: (text: string) => void, viewportId?: string): Promise<void>;
  /** Stops the stream and removes the video; must not throw when nothing runs. */
  stop(): Promise<void>;
}

export type StartResult = 'started' | 'superseded';

/**
 * One camera, one stream. React mounts, unmounts and remounts the panel (StrictMode does it on
 * purpose), and getUserMedia takes a while: without care a second start begins before the first
 * stop finished and two streams keep the camera lit. So every start and stop goes through one
 * promise chain, a stop always completes before the next start, and a start that was overtaken
 * by a later request while it waited in line is skipped instead of opening the camera for nothing.
 */
export class CameraRunner {
  private chain: Promise<unknown> = Promise.resolve();
  private current: Scanner | null = null;
  private latest = 0;

  constructor(private readonly create: () => Scanner) {}

  /** `viewportId`: the element the picture goes into (the dock's, or 柜台设置's preview). */
  start(cameraId: string, onDecode: (text: string) => void, viewportId?: string): Promise<StartResult> {
    const ticket = ++this.latest;
    return this.enqueue(async () => {
      await this.stopCurrent();
      if (ticket !== this.latest) return 'superseded';
      const scanner = this.create();
      this.current = scanner;
      try {
        await scanner.start(cameraId, onDecode, viewportId);
      } catch (e) {
        this.current = null;
        await scanner.stop();
        throw e;
      }
      return 'started';
    });
  }

  stop(): Promise<void> {
    ++this.latest;
    return this.enqueue(() => this.stopCurrent());
  }

  /** Other camera work (listing devices opens a stream too) waits its turn in the same line. */
  run<T>(job: () => Promise<T>): Promise<T> {
    return this.enqueue(job);
  }

  private async stopCurrent(): Promise<void> {
    const scanner = this.current;
    this.current = null;
    if (scanner) await scanner.stop();
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const next = this.chain.then(job, job);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
