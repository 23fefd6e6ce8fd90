import { quickZhCN } from '../../../src-shared/i18n/quick.zh-CN';

export type CameraProblem = keyof typeof quickZhCN.camera.errors;

/**
 * html5-qrcode rejects with strings ("Error getting userMedia, error = NotAllowedError: ..."),
 * getUserMedia with DOMExceptions; both carry the DOMException name, which decides the advice.
 */
export function cameraProblem(error: unknown): CameraProblem {
  const text =
    typeof error === 'string'
      ? error
      : error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error)
        ? `${(error as { name?: unknown }).name} ${(error as { message?: unknown }).message}`
        : String(error);
  if (/NotAllowedError|PermissionDenied|Permission denied|SecurityError/i.test(text)) return 'denied';
  if (/NotFoundError|DevicesNotFound|OverconstrainedError|device not found/i.test(text)) return 'noCamera';
  if (/NotReadableError|TrackStartError|AbortError|Could not start video/i.test(text)) return 'busy';
  if (/not supported|secure context|insecure/i.test(text)) return 'unsupported';
  return 'failed';
}

export function cameraMessage(problem: CameraProblem): string {
  return quickZhCN.camera.errors[problem];
}
