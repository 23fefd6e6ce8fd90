/**
 * Keyboard-wedge scanner detection. A USB barcode/QR reader "types" its payload much faster
 * than a person and ends it with Enter or Tab (some readers send no suffix at all). This class
 * sees every keydown, whatever has focus, and decides which bursts were scans. It knows no DOM:
 * the hook in use-wedge-scanner.ts feeds it and acts on its verdicts.
 */
import { DEFAULT_DESK_SETTINGS, SCANNED_CHARACTER } from '../../../src-shared/contract/desk-api';

/** The parts of a KeyboardEvent the detector looks at. */
export interface WedgeKey {
  key: string;
  code: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  repeat: boolean;
  /** Milliseconds, monotonic (event.timeStamp). */
  time: number;
  /** The key went to a free-text field (data-scan="off"): never part of a scan. */
  freeText: boolean;
}

export interface WedgeOptions {
  /** A gap longer than this ends the burst: nobody's reader pauses this long mid-code. */
  maxGapMs: number;
  /** The average gap a burst must stay under to count as a scan; people type far slower. */
  maxAverageGapMs: number;
  minLength: number;
  /** Commit a burst after this much silence, for readers without an Enter/Tab suffix. 0 = off. */
  idleCommitMs: number;
  /** The same code again within this window is a double read, not a second student. */
  repeatWindowMs: number;
}

const { maxGapMs, maxAverageGapMs, minLength, idleCommitMs, repeatWindowMs } = DEFAULT_DESK_SETTINGS.scanner;
export const DEFAULT_WEDGE_OPTIONS: WedgeOptions = { maxGapMs, maxAverageGapMs, minLength, idleCommitMs, repeatWindowMs };

/**
 * - `ignore`: not ours, let the key do what it does.
 * - `buffer`: a character was added to a possible scan; the key still lands where it was going,
 *   because until the burst ends nobody can tell a scan from fast typing.
 * - `scan`: the key ended a scan; swallow it (Enter would submit, Tab would move focus) and
 *   undo the characters that leaked into the focused field.
 * - `duplicate`: the key ended a repeat of the last scan; swallow and undo, report nothing.
 */
export type WedgeVerdict =
  | { type: 'ignore' }
  | { type: 'buffer'; burstStart: boolean }
  | { type: 'scan'; code: string }
  | { type: 'duplicate'; code: string };


/** With a Chinese IME active the key is 'Process'; the physical key still says what was typed. */
const CODE_CHARS: Record<string, [plain: string, shifted: string]> = {
  Minus: ['-', '_'],
  Equal: ['=', '='],
  Period: ['.', '.'],
  Comma: [',', ','],
  Slash: ['/', '?'],
  Semicolon: [':', ':'],
  Quote: ['"', '"'],
  BracketLeft: ['{', '{'],
  BracketRight: ['}', '}'],
  NumpadSubtract: ['-', '-'],
  NumpadDecimal: ['.', '.'],
  NumpadDivide: ['/', '/'],
};

export function charFromCode(code: string, shift: boolean): string | null {
  const digit = /^(Digit|Numpad)(\d)$/.exec(code);
  if (digit?.[2]) {
    if (!shift || digit[1] === 'Numpad') return digit[2];
    // Of the shifted digit row only '&' (query strings in QR payloads) is in the whitelist.
    return code === 'Digit7' ? '&' : null;
  }
  const letter = /^Key([A-Z])$/.exec(code);
  if (letter?.[1]) return shift ? letter[1] : letter[1].toLowerCase();
  const mapped = CODE_CHARS[code];
  return mapped ? (shift ? mapped[1] : mapped[0]) : null;
}

function isImeKey(key: string): boolean {
  return key === 'Process' || key === 'Unidentified';
}

function charOf(event: WedgeKey): string | null {
  const char = isImeKey(event.key) ? charFromCode(event.code, event.shiftKey) : event.key;
  return char !== null && SCANNED_CHARACTER.test(char) ? char : null;
}

function isTerminator(event: WedgeKey): boolean {
  if (event.key === 'Enter' || event.key === 'Tab') return true;
  return isImeKey(event.key) && (event.code === 'Enter' || event.code === 'NumpadEnter' || event.code === 'Tab');
}

const MODIFIER_KEYS = new Set(['Shift', 'CapsLock']);

export class WedgeDetector {
  private chars: string[] = [];
  private firstAt = 0;
  private lastAt = 0;
  private lastScan: { code: string; at: number } | null = null;
  readonly options: WedgeOptions;

  constructor(options: Partial<WedgeOptions> = {}) {
    this.options = { ...DEFAULT_WEDGE_OPTIONS, ...options };
  }

  keydown(event: WedgeKey): WedgeVerdict {
    // Readers send Shift around capitals and symbols; it neither adds nor breaks a burst.
    if (MODIFIER_KEYS.has(event.key)) return { type: 'ignore' };
    if (event.freeText || event.repeat || event.ctrlKey || event.altKey || event.metaKey) {
      this.reset();
      return { type: 'ignore' };
    }
    if (this.chars.length > 0 && event.time - this.lastAt > this.options.maxGapMs) this.reset();

    if (isTerminator(event)) {
      const verdict = this.finish(event.time, this.chars.length);
      this.reset();
      return verdict ?? { type: 'ignore' };
    }

    const char = charOf(event);
    if (char === null) {
      this.reset();
      return { type: 'ignore' };
    }
    const burstStart = this.chars.length === 0;
    if (burstStart) this.firstAt = event.time;
    this.chars.push(char);
    this.lastAt = event.time;
    return { type: 'buffer', burstStart };
  }

  /**
   * Called by a timer `idleCommitMs` after the last buffered key: a reader without a suffix
   * has finished. Returns null when the buffer does not look like a scan.
   */
  idle(now: number): WedgeVerdict | null {
    if (this.options.idleCommitMs <= 0 || this.chars.length === 0) return null;
    if (now - this.lastAt < this.options.idleCommitMs) return null;
    const verdict = this.finish(this.lastAt, this.chars.length - 1);
    this.reset();
    return verdict;
  }

  /** Whether a burst is being collected (the hook keeps its idle timer only while it is). */
  get collecting(): boolean {
    return this.chars.length > 0;
  }

  reset(): void {
    this.chars = [];
  }

  private finish(endTime: number, gaps: number): WedgeVerdict | null {
    if (this.chars.length < this.options.minLength) return null;
    // The average, not every gap: a reader on a busy USB hub can stall once mid-code.
    if ((endTime - this.firstAt) / Math.max(gaps, 1) > this.options.maxAverageGapMs) return null;
    const code = this.chars.join('');
    const last = this.lastScan;
    if (last && last.code === code && endTime - last.at < this.options.repeatWindowMs) return { type: 'duplicate', code };
    this.lastScan = { code, at: endTime };
    return { type: 'scan', code };
  }
}
