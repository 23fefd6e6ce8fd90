import { describe, expect, it } from 'vitest';
import { WedgeDetector, charFromCode, type WedgeKey, type WedgeVerdict } from '../../../src-renderer/src/scan/wedge';

const base: WedgeKey = { key: '', code: '', shiftKey: false, ctrlKey: false, altKey: false, metaKey: false, repeat: false, time: 0, freeText: false };

function key(key: string, time: number, extra: Partial<WedgeKey> = {}): WedgeKey {
  return { ...base, key, time, ...extra };
}

/** Feeds `text` one key per `gapMs`, then `terminator`; returns the verdict on the last key. */
function type(detector: WedgeDetector, text: string, gapMs: number, start = 0, terminator = 'Enter'): WedgeVerdict {
  let t = start;
  for (const ch of text) {
    detector.keydown(key(ch, t));
    t += gapMs;
  }
  return detector.keydown(key(terminator, t));
}

describe('WedgeDetector', () => {
  it('recognises a fast burst ended by Enter or Tab', () => {
    expect(type(new WedgeDetector(), '2301010101', 8)).toEqual({ type: 'scan', code: '2301010101' });
    expect(type(new WedgeDetector(), '2301010101', 8, 0, 'Tab')).toEqual({ type: 'scan', code: '2301010101' });
  });

  it('leaves human typing alone', () => {
    expect(type(new WedgeDetector(), '2301010101', 120)).toEqual({ type: 'ignore' });
    expect(type(new WedgeDetector(), '2301010101', 60)).toEqual({ type: 'ignore' });
  });

  it('tolerates one stall mid-code, as long as the average stays fast', () => {
    const detector = new WedgeDetector();
    let t = 0;
    for (const [i, ch] of [...'2301010101'].entries()) {
      detector.keydown(key(ch, t));
      t += i === 4 ? 80 : 6;
    }
    expect(detector.keydown(key('Enter', t))).toEqual({ type: 'scan', code: '2301010101' });
  });

  it('needs the minimum length', () => {
    expect(type(new WedgeDetector(), '123', 5)).toEqual({ type: 'ignore' });
    expect(type(new WedgeDetector({ minLength: 3 }), '123', 5)).toEqual({ type: 'scan', code: '123' });
  });

  it('ignores keys typed into free-text fields', () => {
    const detector = new WedgeDetector();
    let t = 0;
    for (const ch of '2301010101') detector.keydown(key(ch, (t += 5), { freeText: true }));
    expect(detector.keydown(key('Enter', t + 5, { freeText: true }))).toEqual({ type: 'ignore' });
  });

  it('drops characters outside the whitelist and starts over', () => {
    const detector = new WedgeDetector();
    detector.keydown(key('2', 0));
    detector.keydown(key('3', 5));
    detector.keydown(key('中', 10));
    expect(detector.collecting).toBe(false);
    expect(type(detector, '{"xh":"2301"}', 5, 15)).toEqual({ type: 'scan', code: '{"xh":"2301"}' });
  });

  it('suppresses the same code within the repeat window, accepts it after', () => {
    const detector = new WedgeDetector();
    expect(type(detector, '2301010101', 5, 0).type).toBe('scan');
    expect(type(detector, '2301010101', 5, 500)).toEqual({ type: 'duplicate', code: '2301010101' });
    expect(type(detector, '2301010102', 5, 900).type).toBe('scan');
    expect(type(detector, '2301010101', 5, 3000).type).toBe('scan');
  });

  it('commits after idle time for readers without a suffix', () => {
    const detector = new WedgeDetector({ idleCommitMs: 100 });
    let t = 0;
    for (const ch of '2301010101') detector.keydown(key(ch, (t += 5)));
    expect(detector.idle(t + 50)).toBeNull();
    expect(detector.idle(t + 100)).toEqual({ type: 'scan', code: '2301010101' });
    expect(detector.collecting).toBe(false);
  });

  it('never commits on idle when idle commit is off', () => {
    const detector = new WedgeDetector({ idleCommitMs: 0 });
    for (const [i, ch] of [...'2301010101'].entries()) detector.keydown(key(ch, i * 5));
    expect(detector.idle(10_000)).toBeNull();
  });

  it('builds the code from event.code while an IME is active', () => {
    const detector = new WedgeDetector();
    let t = 0;
    for (const ch of '2301A') {
      const code = /\d/.test(ch) ? `Digit${ch}` : `Key${ch}`;
      detector.keydown(key('Process', (t += 5), { code, shiftKey: ch === 'A' }));
    }
    expect(detector.keydown(key('Process', t + 5, { code: 'Enter' }))).toEqual({ type: 'scan', code: '2301A' });
  });

  it('lets Shift through but breaks the burst on Ctrl, Alt and key repeat', () => {
    const detector = new WedgeDetector();
    detector.keydown(key('2', 0));
    expect(detector.keydown(key('Shift', 3))).toEqual({ type: 'ignore' });
    expect(detector.collecting).toBe(true);
    detector.keydown(key('c', 6, { ctrlKey: true }));
    expect(detector.collecting).toBe(false);
    detector.keydown(key('2', 10));
    detector.keydown(key('2', 40, { repeat: true }));
    expect(detector.collecting).toBe(false);
  });
});

describe('charFromCode', () => {
  it('maps physical keys to characters', () => {
    expect(charFromCode('Digit7', false)).toBe('7');
    expect(charFromCode('Digit7', true)).toBe('&');
    expect(charFromCode('Digit1', true)).toBeNull();
    expect(charFromCode('Numpad5', false)).toBe('5');
    expect(charFromCode('KeyX', false)).toBe('x');
    expect(charFromCode('KeyX', true)).toBe('X');
    expect(charFromCode('Minus', true)).toBe('_');
    expect(charFromCode('Slash', true)).toBe('?');
    expect(charFromCode('F5', false)).toBeNull();
  });
});
