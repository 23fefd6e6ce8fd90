import { useEffect, useState } from 'react';
import type { CameraDevice } from 'html5-qrcode';
import { deskText } from '../../../src-shared/i18n/desk.zh-CN';
import { cameraMessage, cameraProblem } from '../camera/errors';
import { PREVIEW_VIEWPORT_ID, cameraRunner, listCameras } from '../camera/html5-scanner';
import { RepeatFilter } from '../camera/repeat-filter';
import { deskScan } from '../scan/desk-scan';

const t = deskText.settings;

/**
 * Which camera the desk uses, and its picture. Nothing opens the camera until 预览 is pressed
 * (listing cameras opens it too); what the preview reads goes to 试扫.
 */
export function CameraChoice({ deviceId, onChange }: { deviceId: string | null; onChange(deviceId: string | null): void }) {
  const [cameras, setCameras] = useState<CameraDevice[] | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (!previewing) return;
    let live = true;
    const repeats = new RepeatFilter();
    setProblem(null);
    cameraRunner
      .run(listCameras)
      .then(async (found) => {
        if (!live) return;
        setCameras(found);
        const pick = found.find((c) => c.id === deviceId) ?? found[0];
        if (!pick) {
          setProblem(t.cameraNone);
          return;
        }
        await cameraRunner.start(pick.id, (text) => live && repeats.accept(text, performance.now()) && deskScan(text), PREVIEW_VIEWPORT_ID);
      })
      .catch((e: unknown) => live && setProblem(cameraMessage(cameraProblem(e))));
    return () => {
      live = false;
      void cameraRunner.stop();
    };
  }, [previewing, deviceId]);

  return (
    <div className="camera-choice">
      <div className="camera-choice-row">
        <label>
          <span>{t.camera}</span>
          <select name="cameraId" value={deviceId ?? ''} onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)}>
            <option value="">{t.cameraDefault}</option>
            {deviceId && !cameras?.some((c) => c.id === deviceId) && <option value={deviceId}>{deviceId}</option>}
            {cameras?.map((c, i) => (
              <option key={c.id} value={c.id}>
                {c.label || t.cameraUnnamed(i + 1)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn btn-small" aria-pressed={previewing} onClick={() => setPreviewing(!previewing)}>
          {previewing ? t.cameraStop : t.cameraPreview}
        </button>
      </div>
      {/* The dialog scrolls: the picture is brought into view when it opens. */}
      {previewing && <div id={PREVIEW_VIEWPORT_ID} className="camera-preview" data-testid="camera-preview" ref={(el) => el?.scrollIntoView({ block: 'nearest' })} />}
      {problem && (
        <p className="settings-error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
