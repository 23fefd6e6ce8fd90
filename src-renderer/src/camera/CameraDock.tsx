import './camera.css';
import { useEffect, useState } from 'react';
import type { CameraDevice } from 'html5-qrcode';
import { quickZhCN } from '../../../src-shared/i18n/quick.zh-CN';
import { QUICK_KEYS } from '../quick/keys';
import { useDeskSettings } from '../desk/desk-settings-store';
import { notify } from '../feedback/notify';
import { messageOf } from '../store/errors';
import { deskScan } from '../scan/desk-scan';
import { cameraMessage, cameraProblem } from './errors';
import { VIEWPORT_ID, cameraRunner as runner, listCameras } from './html5-scanner';
import { RepeatFilter } from './repeat-filter';
import { useCameraStore } from './state';

const t = quickZhCN.camera;

type Status = { kind: 'listing' | 'starting' | 'running' | 'stopped' } | { kind: 'error'; message: string };

/** The desk's camera (柜台设置): picking one in the dock saves it there too. */
function rememberedCamera(): string | null {
  return useDeskSettings.getState().settings.camera.deviceId;
}

async function rememberCamera(deviceId: string): Promise<void> {
  const desk = useDeskSettings.getState();
  await desk.save({ ...desk.settings, camera: { deviceId } });
}

function CameraPanel() {
  const close = useCameraStore((s) => s.close);
  const [cameras, setCameras] = useState<CameraDevice[] | null>(null);
  const [cameraId, setCameraId] = useState<string | null>(null);
  const [wanted, setWanted] = useState(true);
  const [attempt, setAttempt] = useState(0);
  const [status, setStatus] = useState<Status>({ kind: 'listing' });
  const [decoded, setDecoded] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setStatus({ kind: 'listing' });
    runner
      .run(listCameras)
      .then((found) => {
        if (!live) return;
        setCameras(found);
        const remembered = rememberedCamera();
        const pick = found.find((c) => c.id === remembered) ?? found[0];
        setCameraId(pick?.id ?? null);
        if (!pick) setStatus({ kind: 'error', message: cameraMessage('noCamera') });
      })
      .catch((e: unknown) => live && setStatus({ kind: 'error', message: cameraMessage(cameraProblem(e)) }));
    return () => {
      live = false;
    };
  }, [attempt]);

  useEffect(() => {
    if (!cameraId || !wanted) return;
    let live = true;
    const repeats = new RepeatFilter();
    setStatus({ kind: 'starting' });
    runner
      .start(cameraId, (text) => {
        if (!live || !repeats.accept(text, performance.now())) return;
        setDecoded(text);
        deskScan(text);
      })
      .then((result) => live && result === 'started' && setStatus({ kind: 'running' }))
      .catch((e: unknown) => live && setStatus({ kind: 'error', message: cameraMessage(cameraProblem(e)) }));
    return () => {
      live = false;
      void runner.stop();
    };
  }, [cameraId, wanted, attempt]);

  const choose = (id: string) => {
    setCameraId(id);
    rememberCamera(id).catch((e: unknown) => notify('error', messageOf(e)));
  };
  const toggleRunning = () => {
    if (wanted) setStatus({ kind: 'stopped' });
    setWanted(!wanted);
  };
  const retry = () => {
    setWanted(true);
    setAttempt((n) => n + 1);
  };

  const message =
    status.kind === 'error' ? status.message : status.kind === 'running' && decoded ? t.decoded(decoded) : t[status.kind];
  return (
    <section className="card camera-dock" aria-labelledby="camera-title" data-testid="camera-panel">
      <div className="card-title-row">
        <h2 id="camera-title" className="card-title">
          {t.title}
        </h2>
        <button type="button" className="btn btn-small btn-ghost" onClick={close}>
          {t.close} <kbd className="kbd">{QUICK_KEYS.camera.cap}</kbd>
        </button>
      </div>
      <div className="camera-controls">
        <select aria-label={t.choose} value={cameraId ?? ''} disabled={!cameras?.length} onChange={(e) => choose(e.target.value)}>
          {cameras?.map((c, i) => (
            <option key={c.id} value={c.id}>
              {c.label || t.unnamed(i + 1)}
            </option>
          ))}
        </select>
        {status.kind === 'error' ? (
          <button type="button" className="btn btn-small btn-primary" onClick={retry}>
            {t.retry}
          </button>
        ) : (
          <button type="button" className="btn btn-small" disabled={!cameraId} onClick={toggleRunning}>
            {wanted ? t.stop : t.start}
          </button>
        )}
      </div>
      <div id={VIEWPORT_ID} className="camera-viewport" />
      <div className={`camera-status camera-${status.kind}`} role="status" data-testid="camera-status">
        {message}
      </div>
    </section>
  );
}

/** The webcam scanner, docked over the lower left pane; what it reads goes where wedge scans go. */
export function CameraDock() {
  const open = useCameraStore((s) => s.open);
  return open ? <CameraPanel /> : null;
}

export function CameraButton() {
  const open = useCameraStore((s) => s.open);
  const toggle = useCameraStore((s) => s.toggle);
  return (
    <button type="button" className={`btn camera-button${open ? ' is-on' : ''}`} aria-pressed={open} title={t.title} onClick={toggle}>
      {t.open}
      <kbd className="kbd">{QUICK_KEYS.camera.cap}</kbd>
    </button>
  );
}
