import { useState, type FormEvent } from 'react';
import type { ConsoleAccount } from '../../src-shared/contract/console-api';
import { consoleText as t } from '../../src-shared/i18n/console.zh-CN';
import { call, ConsoleError } from './api';

export function SignIn({ onSignedIn }: { onSignedIn: (account: ConsoleAccount) => void }) {
  const [operatorNo, setOperatorNo] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await call('session.signIn', { operatorNo, password }));
    } catch (e) {
      setError(e instanceof ConsoleError ? e.message : String(e));
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <form className="card sign-in-card" onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">{t.signIn.title}</h1>
        <p className="hint">{t.signIn.hint}</p>
        <label>
          {t.signIn.operatorNo}
          <input value={operatorNo} onChange={(e) => setOperatorNo(e.target.value)} autoComplete="username" autoFocus required />
        </label>
        <label>
          {t.signIn.password}
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t.signIn.busy : t.signIn.submit}
        </button>
      </form>
    </main>
  );
}
