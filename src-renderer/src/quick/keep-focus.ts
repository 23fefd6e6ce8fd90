import type { MouseEvent } from 'react';

/**
 * Spread on quick-mode buttons: a click does not move focus onto them. A reader's burst that the
 * wedge detector does not take for a scan lets its Enter through, and on a focused button that
 * Enter would press it: 撤销 or 退出 by accident, in the middle of a queue.
 */
export const keepFocus = {
  onMouseDown: (e: MouseEvent) => e.preventDefault(),
};
