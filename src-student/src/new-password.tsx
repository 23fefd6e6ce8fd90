import { useState } from 'react';
import { studentText as t } from '../../src-shared/i18n/student.zh-CN';

/** A new password typed twice (setting one, and the reset with the last 6): the fields and whether they agree. */
export function useNewPassword() {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const fields = (
    <>
      <label>
        {t.reset.newPassword}
        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" required />
      </label>
      <label>
        {t.reset.confirm}
        <input type="password" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="new-password" required />
      </label>
    </>
  );
  return { password, matches: password === confirm, fields };
}
