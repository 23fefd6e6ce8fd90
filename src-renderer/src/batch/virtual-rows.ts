import { useLayoutEffect, useState, type RefObject } from 'react';

const OVERSCAN = 8;

/**
 * Fixed-height windowing for the big tables (a whole college, a 2,000-row preview): only the
 * rows in view are rendered, row i sits at i * rowHeight inside a spacer of the full height.
 */
export function useVirtualRows(viewport: RefObject<HTMLElement | null>, count: number, rowHeight: number) {
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(0);
  useLayoutEffect(() => {
    const el = viewport.current;
    if (!el) return;
    const onScroll = () => setScrollTop(el.scrollTop);
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      observer.disconnect();
      el.removeEventListener('scroll', onScroll);
    };
  }, [viewport]);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  /** Keeps a keyboard-moved row in view. */
  const reveal = (index: number) => {
    const el = viewport.current;
    if (!el) return;
    const top = index * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  };
  return { first, last, totalHeight: count * rowHeight, reveal };
}
