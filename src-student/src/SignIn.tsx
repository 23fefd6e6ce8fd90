import { useState, type FormEvent } from 'react';
import type { StudentAccount } from '../../src-shared/contract/student-api';
import { studentText as t } from '../../src-shared/i18n/student.zh-CN';
import { call, StudentError } from './api';
import { useNewPassword } from './new-password';

type Mode = 'signIn' | 'reset';

/** 学号 + password (the last 6 of the 身份证号 until one is set), or the reset with the last 6. */
export function SignIn({ onSignedIn }: { onSignedIn: (account: StudentAccount) => void }) {
  const [mode, setMode] = useState<Mode>('signIn');
  const [studentNo, setStudentNo] = useState('');
  const [secret, setSecret] = useState('');
  const [idLast6, setIdLast6] = useState('');
  const newPassword = useNewPassword();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (mode === 'reset' && !newPassword.matches) {
      setError(t.reset.mismatch);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(mode === 'signIn' ? await call('session.signIn', { studentNo, secret }) : await call('session.reset', { studentNo, idLast6, newPassword: newPassword.password }));
    } catch (e) {
      setError(e instanceof StudentError ? e.message : String(e));
      setBusy(false);
    }
  }

  function switchTo(next: Mode) {
    setMode(next);
    setError(null);
  }

  return (
    <main className="sign-in">
      <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">{mode === 'signIn' ? t.signIn.title : t.reset.title}</h1>
        <p className="hint">{mode === 'signIn' ? t.signIn.lead : t.reset.lead}</p>
        <label>
          {t.signIn.studentNo}
          <input value={studentNo} onChange={(e) => setStudentNo(e.target.value)} autoComplete="username" inputMode="text" required />
        </label>
        {mode === 'signIn' ? (
          <label>
            {t.signIn.secret}
            <input type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="current-password" aria-describedby="secret-hint" required />
            <span id="secret-hint" className="hint">
              {t.signIn.secretHint}
            </span>
          </label>
        ) : (
          <>
            <label>
              {t.reset.idLast6}
              <input value={idLast6} onChange={(e) => setIdLast6(e.target.value)} autoComplete="off" maxLength={6} required />
            </label>
            {newPassword.fields}
          </>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t.signIn.busy : mode === 'signIn' ? t.signIn.submit : t.reset.submit}
        </button>
        <button type="button" className="link" onClick={() => switchTo(mode === 'signIn' ? 'reset' : 'signIn')}>
          {mode === 'signIn' ? t.signIn.forgot : t.reset.back}
        </button>
      </form>
    </main>
  );
}
