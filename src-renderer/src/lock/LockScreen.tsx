import './lock.css';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { deskText } from '../../../src-shared/i18n/desk.zh-CN';
import { syncText } from '../../../src-shared/i18n/sync.zh-CN';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { useFlashStore } from '../feedback/flash';
import { messageOf } from '../store/errors';
import { useSessionStore } from '../store/session';
import { useLockStore } from './lock-store';

const t = deskText.lock;

/**
 * What the counter says while locked (a scan ignored): the counter's own strip is not on screen.
 * Only what came after the lock: the last flash before it may name a student.
 */
function LockFlash() {
  const [since] = useState(() => useFlashStore.getState().flash?.id ?? 0);
  const flash = useFlashStore((s) => s.flash);
  return (
    <p className="lock-flash" role="status">
      {flash && flash.id > since ? flash.text : ''}
    </p>
  );
}

/** Unlock with the locked operator's own password. */
function UnlockForm({ operator, onSwitch }: { operator: { id: string; name: string }; onSwitch(): void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [busy]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await useLockStore.getState().unlock(password);
    } catch (err) {
      setError(messageOf(err));
      setPassword('');
      setBusy(false);
    }
  };

  return (
    <form className="lock-form" onSubmit={(e) => void submit(e)}>
      <p className="lock-who">{t.lockedBy(operator.name, operator.id)}</p>
      <label>
        <span>{t.password}</span>
        <input ref={input} name="unlockPassword" type="password" autoComplete="off" value={password} disabled={busy} onChange={(e) => setPassword(e.target.value)} />
      </label>
      {error && (
        <p className="lock-error" role="alert">
          {error}
        </p>
      )}
      <div className="lock-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t.unlocking : t.unlock} <kbd className="kbd">Enter</kbd>
        </button>
        <button type="button" className="btn" onClick={onSwitch}>
          {t.switchUser}
        </button>
        <button type="button" className="btn btn-ghost" onClick={() => void useLockStore.getState().signOut()}>
          {t.signOut}
        </button>
      </div>
    </form>
  );
}

/** 换人登录 from the lock screen, and the only way in after 退出登录: the back end ends the first session. */
function SignInForm({ onBack }: { onBack: (() => void) | null }) {
  const [operatorNo, setOperatorNo] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await useSessionStore.getState().signIn({ operatorNo, password });
      await useLockStore.getState().load();
    } catch (err) {
      setError(messageOf(err));
      setPassword('');
      setBusy(false);
    }
  };

  return (
    <form className="lock-form" onSubmit={(e) => void submit(e)}>
      <label>
        <span>{syncText.signIn.operatorNo}</span>
        <input ref={first} name="operatorNo" className="mono" autoComplete="off" spellCheck={false} value={operatorNo} disabled={busy} onChange={(e) => setOperatorNo(e.target.value)} />
      </label>
      <label>
        <span>{syncText.signIn.password}</span>
        <input name="password" type="password" autoComplete="off" value={password} disabled={busy} onChange={(e) => setPassword(e.target.value)} />
      </label>
      {error && (
        <p className="lock-error" role="alert">
          {error}
        </p>
      )}
      <div className="lock-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? syncText.signIn.busy : syncText.signIn.submit} <kbd className="kbd">Enter</kbd>
        </button>
        {onBack && (
          <button type="button" className="btn" onClick={onBack}>
            {t.backToUnlock}
          </button>
        )}
      </div>
    </form>
  );
}

/**
 * In place of the whole counter while it is locked or signed out: no student is on screen, and
 * the dialogs that were open are gone with the screen behind them. The reader is still listened
 * to here, so that a card scanned into the password field is taken back out and dropped with a
 * word (desk-scan.ts) instead of being tried as a password.
 */
export function LockScreen() {
  const lock = useLockStore((s) => s.current);
  const [switching, setSwitching] = useState(false);
  if (!lock || lock.state === 'open') return null;
  const operator = lock.state === 'locked' ? lock.operator : null;
  return (
    <main className="lock-screen" data-testid="lock-screen">
      <section className="lock-card" aria-labelledby="lock-title">
        <div className="lock-brand" aria-hidden="true">
          {zhCN.ui.header.brandMark}
        </div>
        <h1 id="lock-title">{operator ? t.title : t.signedOutTitle}</h1>
        <p className="lock-hint">{operator ? t.hint : t.signedOutHint}</p>
        {operator && !switching ? <UnlockForm operator={operator} onSwitch={() => setSwitching(true)} /> : <SignInForm onBack={operator ? () => setSwitching(false) : null} />}
        <LockFlash />
      </section>
    </main>
  );
}
