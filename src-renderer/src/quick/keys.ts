/**
 * The keys of 扫码即办 and the camera, beside the desk's own in keyboard/bindings.ts: F3 and F7
 * are free there, and Ctrl+Z only means undo while quick mode runs. Caps are what the buttons print.
 */
export const QUICK_KEYS = {
  toggle: { key: 'F3', cap: 'F3' },
  camera: { key: 'F7', cap: 'F7' },
  undo: { key: 'z', cap: 'Ctrl+Z' },
} as const;
