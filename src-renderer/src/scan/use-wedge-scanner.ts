import { useEffect, useRef } from 'react';
import { WedgeDetector, type WedgeOptions } from './wedge';

type TextField = HTMLInputElement | HTMLTextAreaElement;

interface FieldSnapshot {
  field: TextField;
  value: string;
  selectionStart: number | null;
  selectionEnd: number | null;
}

function isTextField(el: Element | null): el is TextField {
  return el instanceof HTMLTextAreaElement || (el instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit'].includes(el.type));
}

function snapshotFocusedField(): FieldSnapshot | null {
  const el = document.activeElement;
  if (!isTextField(el)) return null;
  return { field: el, value: el.value, selectionStart: el.selectionStart, selectionEnd: el.selectionEnd };
}

/**
 * Puts the field back as it was before the burst. The value is set through the native setter
 * and announced with an input event, otherwise React keeps its own copy of the scanned text.
 */
function restore(snapshot: FieldSnapshot): void {
  const { field } = snapshot;
  if (field.value === snapshot.value) return;
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(field), 'value')?.set;
  setter?.call(field, snapshot.value);
  field.dispatchEvent(new Event('input', { bubbles: true }));
  if (document.activeElement === field && snapshot.selectionStart !== null) {
    field.setSelectionRange(snapshot.selectionStart, snapshot.selectionEnd ?? snapshot.selectionStart);
  }
}

/** The nearest data-scan decides: a dialog is "off", 柜台设置's 试扫 box inside it "on". */
function isFreeText(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('[data-scan]')?.getAttribute('data-scan') === 'off';
}

/**
 * App-wide keyboard-wedge listener: window keydown in the capture phase, so it sees the keys
 * before any field or shortcut does. Scanned characters still reach the focused field while
 * the burst is under way and are taken back out when the scan is recognised.
 */
export function useWedgeScanner(onScan: (code: string) => void, options: Partial<WedgeOptions> = {}): void {
  const onScanRef = useRef(onScan);
  onScanRef.current = onScan;
  const optionsKey = JSON.stringify(options);

  useEffect(() => {
    const detector = new WedgeDetector(JSON.parse(optionsKey) as Partial<WedgeOptions>);
    let snapshot: FieldSnapshot | null = null;
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    let composing = false;
    // An IME commits its composition after the Enter that ended the scan; undo that too.
    let restoreAfterComposition: FieldSnapshot | null = null;

    const undoLeakedText = () => {
      if (!snapshot) return;
      restore(snapshot);
      if (composing) restoreAfterComposition = snapshot;
      snapshot = null;
    };

    const onIdle = () => {
      const verdict = detector.idle(performance.now());
      if (verdict?.type === 'scan' || verdict?.type === 'duplicate') {
        undoLeakedText();
        if (verdict.type === 'scan') onScanRef.current(verdict.code);
      }
    };

    const onKeyDown = (event: KeyboardEvent) => {
      const verdict = detector.keydown({
        key: event.key,
        code: event.code,
        shiftKey: event.shiftKey,
        ctrlKey: event.ctrlKey,
        altKey: event.altKey,
        metaKey: event.metaKey,
        repeat: event.repeat,
        time: event.timeStamp,
        freeText: isFreeText(event.target),
      });
      clearTimeout(idleTimer);
      if (verdict.type === 'buffer') {
        if (verdict.burstStart) snapshot = snapshotFocusedField();
        if (detector.options.idleCommitMs > 0) idleTimer = setTimeout(onIdle, detector.options.idleCommitMs);
        return;
      }
      if (verdict.type === 'ignore') {
        if (!detector.collecting) snapshot = null;
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      undoLeakedText();
      if (verdict.type === 'scan') onScanRef.current(verdict.code);
    };

    const onCompositionStart = () => {
      composing = true;
    };
    const onCompositionEnd = () => {
      composing = false;
      const pending = restoreAfterComposition;
      restoreAfterComposition = null;
      if (pending) setTimeout(() => restore(pending), 0);
    };

    window.addEventListener('keydown', onKeyDown, true);
    window.addEventListener('compositionstart', onCompositionStart, true);
    window.addEventListener('compositionend', onCompositionEnd, true);
    return () => {
      clearTimeout(idleTimer);
      window.removeEventListener('keydown', onKeyDown, true);
      window.removeEventListener('compositionstart', onCompositionStart, true);
      window.removeEventListener('compositionend', onCompositionEnd, true);
    };
  }, [optionsKey]);
}
