import { useCallback, useEffect, useState } from 'react';
import type { StudentAccount } from '../../src-shared/contract/student-api';
import { studentText as t } from '../../src-shared/i18n/student.zh-CN';
import { call } from './api';
import { SignIn } from './SignIn';
import { StatusView } from './StatusView';

export function App() {
  const [account, setAccount] = useState<StudentAccount | null | undefined>(undefined);

  useEffect(() => {
    call('session.get', {}).then(setAccount, () => setAccount(null));
  }, []);

  const signOut = useCallback(async () => {
    await call('session.signOut', {}).catch(() => undefined);
    setAccount(null);
  }, []);

  if (account === undefined) return <main className="loading">{t.appName}</main>;
  if (account === null) return <SignIn onSignedIn={setAccount} />;
  return <StatusView account={account} onAccount={setAccount} onSignOut={() => void signOut()} onExpired={() => setAccount(null)} />;
}
