import './lock.css';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { deskText } from '../../../src-shared/i18n/desk.zh-CN';
import { syncText } from '../../../src-shared/i18n/sync.zh-CN';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { useFlashStore } from '../feedback/flash';
import { usePasswordSubmit } from '../components/use-password-submit';
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

/** A lock-screen form's refusal and its buttons, the submit first. */
function FormEnd({ error, busy, submit, children }: { error: string | null; busy: boolean; submit: string; children: ReactNode }) {
  return (
    <>
      {error && (
        <p className="lock-error" role="alert">
          {error}
        </p>
      )}
      <div className="lock-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {submit} <kbd className="kbd">Enter</kbd>
        </button>
        {children}
      </div>
    </>
  );
}

/** Unlock with the locked operator's own password. */
function UnlockForm({ operator, onSwitch }: { operator: { id: string; name: string }; onSwitch(): void }) {
  const [password, setPassword] = useState('');
  const { error, busy, submit } = usePasswordSubmit(() => useLockStore.getState().unlock(password), () => setPassword(''));
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [busy]);

  return (
    <form className="lock-form" onSubmit={(e) => void submit(e)}>
      <p className="lock-who">{t.lockedBy(operator.name, operator.id)}</p>
      <label>
        <span>{t.password}</span>
        <input ref={input} name="unlockPassword" type="password" autoComplete="off" value={password} disabled={busy} onChange={(e) => setPassword(e.target.value)} />
      </label>
      <FormEnd error={error} busy={busy} submit={busy ? t.unlocking : t.unlock}>
        <button type="button" className="btn" onClick={onSwitch}>
          {t.switchUser}
        </button>
        <button type="button" className="btn btn-ghost" onClick={() => void useLockStore.getState().signOut()}>
          {t.signOut}
        </button>
      </FormEnd>
    </form>
  );
}

/** 换人登录 from the lock screen, and the only way in after 退出登录: the back end ends the first session. */
function SignInForm({ onBack }: { onBack: (() => void) | null }) {
  const [operatorNo, setOperatorNo] = useState('');
  const [password, setPassword] = useState('');
  const { error, busy, submit } = usePasswordSubmit(
    async () => {
      await useSessionStore.getState().signIn({ operatorNo, password });
      await useLockStore.getState().load();
    },
    () => setPassword(''),
  );
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

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
      <FormEnd error={error} busy={busy} submit={busy ? syncText.signIn.busy : syncText.signIn.submit}>
        {onBack && (
          <button type="button" className="btn" onClick={onBack}>
            {t.backToUnlock}
          </button>
        )}
      </FormEnd>
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
