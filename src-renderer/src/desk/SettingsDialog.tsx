import './desk.css';
import { useEffect, useMemo, useState } from 'react';
import { createPortal } from 'react-dom';
import type { DeskSettings } from '../../../src-shared/contract/desk-api';
import { deskText } from '../../../src-shared/i18n/desk.zh-CN';
import { Dialog } from '../batch/Dialog';
import { useCameraStore } from '../camera/state';
import { beep } from '../feedback/beeps';
import { notify } from '../feedback/notify';
import { KEY_BINDINGS, keyCap } from '../keyboard/bindings';
import { messageOf } from '../store/errors';
import { CameraChoice } from './CameraChoice';
import { useDeskSettings } from './desk-settings-store';
import { ScanTestLine } from './ScanTestLine';
import { ServerMoveSection } from './ServerMoveSection';

const t = deskText.settings;

const SCANNER_NUMBERS = ['maxGapMs', 'maxAverageGapMs', 'minLength', 'idleCommitMs', 'repeatWindowMs'] as const;
type ScannerNumber = (typeof SCANNER_NUMBERS)[number];

/** The form keeps what was typed; numbers are read when it is checked or saved. */
interface Draft {
  numbers: Record<ScannerNumber | 'volume' | 'idleMinutes', string>;
  prefix: string;
  suffix: string;
  cameraId: string | null;
  soundsOn: boolean;
}

function draftOf(settings: DeskSettings): Draft {
  const { scanner } = settings;
  return {
    numbers: {
      maxGapMs: String(scanner.maxGapMs),
      maxAverageGapMs: String(scanner.maxAverageGapMs),
      minLength: String(scanner.minLength),
      idleCommitMs: String(scanner.idleCommitMs),
      repeatWindowMs: String(scanner.repeatWindowMs),
      volume: String(settings.sounds.volume),
      idleMinutes: String(settings.lock.idleMinutes),
    },
    prefix: scanner.prefix,
    suffix: scanner.suffix,
    cameraId: settings.camera.deviceId,
    soundsOn: settings.sounds.enabled,
  };
}

const LABELS: Record<keyof Draft['numbers'], string> = {
  maxGapMs: t.maxGapMs,
  maxAverageGapMs: t.maxAverageGapMs,
  minLength: t.minLength,
  idleCommitMs: t.idleCommitMs,
  repeatWindowMs: t.repeatWindowMs,
  volume: t.volume,
  idleMinutes: t.idleMinutes,
};

/** The draft as settings, or the first field that is not a whole number (the back end checks the ranges). */
function settingsOf(draft: Draft): { settings: DeskSettings } | { error: string } {
  const n: Partial<Record<keyof Draft['numbers'], number>> = {};
  for (const key of Object.keys(draft.numbers) as (keyof Draft['numbers'])[]) {
    const text = draft.numbers[key].trim();
    if (!/^-?\d+$/.test(text)) return { error: t.badNumber(LABELS[key]) };
    n[key] = Number(text);
  }
  return {
    settings: {
      scanner: {
        maxGapMs: n.maxGapMs!,
        maxAverageGapMs: n.maxAverageGapMs!,
        minLength: n.minLength!,
        idleCommitMs: n.idleCommitMs!,
        repeatWindowMs: n.repeatWindowMs!,
        prefix: draft.prefix,
        suffix: draft.suffix,
      },
      camera: { deviceId: draft.cameraId },
      sounds: { enabled: draft.soundsOn, volume: n.volume! },
      lock: { idleMinutes: n.idleMinutes! },
    },
  };
}

function NumberField({ name, draft, onChange }: { name: keyof Draft['numbers']; draft: Draft; onChange(value: string): void }) {
  return (
    <label>
      <span>{LABELS[name]}</span>
      <input name={name} inputMode="numeric" className="mono" autoComplete="off" value={draft.numbers[name]} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

function SettingsDialog({ onClose }: { onClose(): void }) {
  const saved = useDeskSettings((s) => s.settings);
  const [draft, setDraft] = useState(() => draftOf(saved));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const parsed = useMemo(() => settingsOf(draft), [draft]);
  const dirty = 'settings' in parsed ? JSON.stringify(parsed.settings) !== JSON.stringify(saved) : true;

  // The dock and the preview would fight over one camera.
  useEffect(() => useCameraStore.getState().close(), []);
  // 试扫 tries the timing as typed; a half-typed number keeps the last good one.
  useEffect(() => {
    if ('settings' in parsed) useDeskSettings.getState().previewScanner(parsed.settings.scanner);
  }, [parsed]);

  const number = (key: keyof Draft['numbers']) => (value: string) => setDraft({ ...draft, numbers: { ...draft.numbers, [key]: value } });
  const save = async () => {
    if ('error' in parsed) {
      setError(parsed.error);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await useDeskSettings.getState().save(parsed.settings);
      notify('success', t.saved);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t.title}
      meta={dirty ? t.unsaved : undefined}
      className="settings-dialog"
      labelledBy="settings-title"
      onClose={onClose}
      keys={{ F9: () => void save() }}
      footer={
        <>
          {error && (
            <p className="settings-error" role="alert">
              {t.saveFailed}：{error}
            </p>
          )}
          <span className="settings-foot-gap" />
          <button type="button" className="btn" onClick={onClose}>
            {t.close} <kbd className="kbd">Esc</kbd>
          </button>
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void save()}>
            {t.save} <kbd className="kbd">F9</kbd>
          </button>
        </>
      }
    >
      <div className="settings-columns">
        <div className="settings-column">
          <ServerMoveSection />
          <section className="settings-section" aria-labelledby="settings-lock-title">
            <h3 id="settings-lock-title">{t.lock}</h3>
            <NumberField name="idleMinutes" draft={draft} onChange={number('idleMinutes')} />
            <p className="settings-note">{t.lockHint}</p>
          </section>
          <section className="settings-section" aria-labelledby="settings-sounds-title">
            <h3 id="settings-sounds-title">{t.sounds}</h3>
            <div className="settings-sounds">
              <label className="settings-check">
                <input type="checkbox" name="soundsOn" checked={draft.soundsOn} onChange={(e) => setDraft({ ...draft, soundsOn: e.target.checked })} />
                <span>{t.soundsOn}</span>
              </label>
              <NumberField name="volume" draft={draft} onChange={number('volume')} />
              <button
                type="button"
                className="btn btn-small"
                onClick={() => 'settings' in parsed && beep('success', parsed.settings.sounds)}
              >
                {t.soundTest}
              </button>
            </div>
          </section>
        </div>
        <div className="settings-column">
          <section className="settings-section" aria-labelledby="settings-scanner-title">
            <h3 id="settings-scanner-title">{t.scanner}</h3>
            <p className="settings-note">{t.scannerHint}</p>
            <div className="settings-grid">
              {SCANNER_NUMBERS.map((key) => (
                <NumberField key={key} name={key} draft={draft} onChange={number(key)} />
              ))}
              <label>
                <span>{t.prefix}</span>
                <input name="prefix" className="mono" autoComplete="off" spellCheck={false} value={draft.prefix} onChange={(e) => setDraft({ ...draft, prefix: e.target.value })} />
              </label>
              <label>
                <span>{t.suffix}</span>
                <input name="suffix" className="mono" autoComplete="off" spellCheck={false} value={draft.suffix} onChange={(e) => setDraft({ ...draft, suffix: e.target.value })} />
              </label>
            </div>
            <ScanTestLine />
          </section>
          <section className="settings-section" aria-labelledby="settings-camera-title">
            <h3 id="settings-camera-title">{t.camera}</h3>
            <CameraChoice deviceId={draft.cameraId} onChange={(cameraId) => setDraft({ ...draft, cameraId })} />
          </section>
        </div>
      </div>
    </Dialog>
  );
}

/** The header's 柜台设置 button; F10 opens the same dialog from anywhere. */
export function SettingsButton() {
  const open = useDeskSettings((s) => s.dialogOpen);
  const openDialog = useDeskSettings((s) => s.openDialog);
  const closeDialog = useDeskSettings((s) => s.closeDialog);
  return (
    <>
      <button type="button" className="btn btn-small" title={t.openTitle(keyCap('settings'))} aria-keyshortcuts={KEY_BINDINGS.settings} onClick={openDialog}>
        {t.open} <kbd className="kbd">{keyCap('settings')}</kbd>
      </button>
      {open && createPortal(<SettingsDialog onClose={closeDialog} />, document.body)}
    </>
  );
}
