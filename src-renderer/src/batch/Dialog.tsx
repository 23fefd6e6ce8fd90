import { useEffect, useRef, type ReactNode } from 'react';

interface DialogProps {
  title: ReactNode;
  meta?: ReactNode;
  className?: string;
  onClose(): void;
  /** Function keys inside the dialog (F8, F9): they must not reach the counter screen behind. */
  keys?: Partial<Record<string, () => void>>;
  children: ReactNode;
  footer: ReactNode;
  labelledBy: string;
}

/**
 * A modal over the counter screen: the native <dialog> keeps focus and clicks inside it. The
 * counter's own shortcuts listen on window, so Esc and the function keys are taken in the
 * capture phase while the dialog is open; scanning is off inside it (data-scan="off"), a card
 * scanned now must not swap the student behind the list being worked on.
 */
export function Dialog({ title, meta, className, onClose, keys, children, footer, labelledBy }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const keysRef = useRef(keys);
  keysRef.current = keys;
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey) return;
      const handler = e.key === 'Escape' ? closeRef.current : keysRef.current?.[e.key];
      if (!handler) return;
      e.preventDefault();
      e.stopPropagation();
      handler();
    };
    window.addEventListener('keydown', onKeyDown, true);
    return () => {
      window.removeEventListener('keydown', onKeyDown, true);
      if (dialog.open) dialog.close();
    };
  }, []);

  return (
    <dialog ref={ref} className={`desk-dialog ${className ?? ''}`} aria-labelledby={labelledBy} data-scan="off" onCancel={(e) => e.preventDefault()}>
      <header className="desk-dialog-head">
        <h2 id={labelledBy} className="card-title">
          {title}
        </h2>
        {meta && <span className="desk-dialog-meta">{meta}</span>}
      </header>
      <div className="desk-dialog-body">{children}</div>
      <footer className="desk-dialog-foot">{footer}</footer>
    </dialog>
  );
}
