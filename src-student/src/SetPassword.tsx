import { useState, type FormEvent } from 'react';
import type { StudentAccount } from '../../src-shared/contract/student-api';
import { studentText as t } from '../../src-shared/i18n/student.zh-CN';
import { call, StudentError } from './api';
import { useNewPassword } from './new-password';

/** Offered while the student still signs in with the last 6 of their 身份证号. */
export function SetPassword({ onDone }: { onDone: (account: StudentAccount) => void }) {
  const newPassword = useNewPassword();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!newPassword.matches) return setError(t.reset.mismatch);
    setBusy(true);
    setError(null);
    try {
      onDone(await call('session.setPassword', { newPassword: newPassword.password }));
    } catch (e) {
      setError(e instanceof StudentError ? e.message : String(e));
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="set-password-title">
      <h2 id="set-password-title">{t.setPassword.title}</h2>
      <p className="hint">{t.setPassword.lead}</p>
      {newPassword.fields}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {t.setPassword.submit}
      </button>
    </form>
  );
}
