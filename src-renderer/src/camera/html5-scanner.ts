import { Html5Qrcode, Html5QrcodeScannerState, Html5QrcodeSupportedFormats, type CameraDevice } from 'html5-qrcode';
import { CameraRunner, type Scanner } from './runner';

export const VIEWPORT_ID = 'camera-viewport';
/** 柜台设置's camera preview. */
export const PREVIEW_VIEWPORT_ID = 'settings-camera-viewport';

/** Student cards carry a QR code or a Code 128/39 barcode; fewer formats decode faster. */
const FORMATS = [Html5QrcodeSupportedFormats.QR_CODE, Html5QrcodeSupportedFormats.CODE_128, Html5QrcodeSupportedFormats.CODE_39];

/** The scan box: the middle of the picture, where a card held up to the camera ends up. */
function qrbox(width: number, height: number): { width: number; height: number } {
  const side = Math.floor(Math.min(width, height) * 0.75);
  return { width: side, height: side };
}

/** One camera, one stream: the dock and the settings preview queue on the same runner. */
export const cameraRunner = new CameraRunner(createHtml5Scanner);

export function listCameras(): Promise<CameraDevice[]> {
  return Html5Qrcode.getCameras();
}

/** One Html5Qrcode per start: an instance whose stop failed half-way is never reused. */
export function createHtml5Scanner(): Scanner {
  let instance: Html5Qrcode | null = null;
  let live = false;
  return {
    async start(cameraId, onDecode, viewportId = VIEWPORT_ID) {
      instance = new Html5Qrcode(viewportId, { verbose: false, formatsToSupport: FORMATS, useBarCodeDetectorIfSupported: true });
      live = true;
      await instance.start(cameraId, { fps: 10, qrbox, disableFlip: true }, (text) => live && onDecode(text), undefined);
    },
    async stop() {
      live = false;
      const scanner = instance;
      instance = null;
      if (!scanner) return;
      const state = scanner.getState();
      try {
        if (state === Html5QrcodeScannerState.SCANNING || state === Html5QrcodeScannerState.PAUSED) await scanner.stop();
        scanner.clear();
      } catch {
        // stop() closes the tracks first and may then trip over its own canvas when the video
        // never started playing; the stream is off by then, only the leftover elements remain.
        for (const id of [VIEWPORT_ID, PREVIEW_VIEWPORT_ID]) document.getElementById(id)?.replaceChildren();
      }
    },
  };
}
