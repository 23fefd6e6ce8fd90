import { describe, expect, it } from 'vitest';
import { cameraProblem } from '../../src-renderer/src/camera/errors';
import { RepeatFilter } from '../../src-renderer/src/camera/repeat-filter';
import { CameraRunner, type Scanner } from '../../src-renderer/src/camera/runner';

/** A camera that takes its time to open and close, and records how many streams are live. */
class FakeCamera {
  live = 0;
  maxLive = 0;
  starts = 0;
  log: string[] = [];
  failNext: unknown = null;

  scanner(): Scanner {
    let running = false;
    return {
      start: async (cameraId) => {
        this.starts++;
        this.log.push(`start ${cameraId}`);
        await tick(5);
        if (this.failNext) {
          const error = this.failNext;
          this.failNext = null;
          throw error;
        }
        running = true;
        this.live++;
        this.maxLive = Math.max(this.maxLive, this.live);
      },
      stop: async () => {
        this.log.push('stop');
        await tick(3);
        if (running) this.live--;
        running = false;
      },
    };
  }
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const noop = () => undefined;

describe('CameraRunner', () => {
  it('mount, unmount, mount (React StrictMode) opens exactly one stream', async () => {
    const camera = new FakeCamera();
    const runner = new CameraRunner(() => camera.scanner());
    const first = runner.start('cam-1', noop);
    const stopped = runner.stop();
    const second = runner.start('cam-1', noop);
    expect(await first).toBe('superseded');
    await stopped;
    expect(await second).toBe('started');
    expect(camera.live).toBe(1);
    expect(camera.maxLive).toBe(1);
    expect(camera.starts).toBe(1);
  });

  it('never lets two streams overlap, however fast open and close alternate', async () => {
    const camera = new FakeCamera();
    const runner = new CameraRunner(() => camera.scanner());
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      pending.push(runner.start(`cam-${i}`, noop));
      await tick(i % 2 === 0 ? 1 : 9);
      pending.push(runner.stop());
    }
    pending.push(runner.start('cam-last', noop));
    await Promise.all(pending);
    expect(camera.maxLive).toBe(1);
    expect(camera.live).toBe(1);
    expect(camera.log.at(-1)).toBe('start cam-last');
  });

  it('switching cameras stops the old stream before the new one starts', async () => {
    const camera = new FakeCamera();
    const runner = new CameraRunner(() => camera.scanner());
    await runner.start('front', noop);
    await runner.start('usb', noop);
    expect(camera.log).toEqual(['start front', 'stop', 'start usb']);
    expect(camera.live).toBe(1);
  });

  it('a failed start rejects with the cause and leaves the line usable', async () => {
    const camera = new FakeCamera();
    const runner = new CameraRunner(() => camera.scanner());
    camera.failNext = new DOMException('Permission denied', 'NotAllowedError');
    await expect(runner.start('cam', noop)).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(camera.live).toBe(0);
    expect(await runner.start('cam', noop)).toBe('started');
    await runner.stop();
    expect(camera.live).toBe(0);
  });

  it('device listing waits for a stop in progress', async () => {
    const camera = new FakeCamera();
    const runner = new CameraRunner(() => camera.scanner());
    await runner.start('cam', noop);
    const stopping = runner.stop();
    const liveWhenListed = await runner.run(async () => camera.live);
    await stopping;
    expect(liveWhenListed).toBe(0);
  });
});

describe('RepeatFilter', () => {
  it('counts a code once while it stays in view, again after a quiet gap or another code', () => {
    const filter = new RepeatFilter(2000);
    const seen = [0, 100, 200, 1500, 3000, 3100].map((t) => filter.accept('2022000001', t));
    expect(seen).toEqual([true, false, false, false, false, false]);
    expect(filter.accept('2022000001', 5200)).toBe(true);
    expect(filter.accept('2022000002', 5300)).toBe(true);
    expect(filter.accept('2022000001', 5400)).toBe(true);
  });
});

describe('cameraProblem', () => {
  it('reads the DOMException name from html5-qrcode strings and from exceptions', () => {
    expect(cameraProblem('Error getting userMedia, error = NotAllowedError: Permission denied')).toBe('denied');
    expect(cameraProblem(new DOMException('Permission denied', 'NotAllowedError'))).toBe('denied');
    expect(cameraProblem(new DOMException('Requested device not found', 'NotFoundError'))).toBe('noCamera');
    expect(cameraProblem('Error getting userMedia, error = OverconstrainedError: ')).toBe('noCamera');
    expect(cameraProblem(new DOMException('Could not start video source', 'NotReadableError'))).toBe('busy');
    expect(cameraProblem('Camera streaming not supported by the browser.')).toBe('unsupported');
    expect(cameraProblem(new Error('boom'))).toBe('failed');
  });
});
