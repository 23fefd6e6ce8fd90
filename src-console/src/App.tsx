import { useCallback, useEffect, useState } from 'react';
import type { ConsoleAccount } from '../../src-shared/contract/console-api';
import { consoleText as t } from '../../src-shared/i18n/console.zh-CN';
import { call, ConsoleError } from './api';
import { SignIn } from './SignIn';
import { Dashboard } from './Dashboard';
import { Operators } from './Operators';
import { ChangePassword } from './ChangePassword';
import { Roster } from './Roster';
import { scopeLabel } from './scope-label';

type Screen = 'progress' | 'roster' | 'operators' | 'password';

function screenFromHash(hash: string): Screen | null {
  const name = hash.replace(/^#\/?/, '');
  return name === 'progress' || name === 'roster' || name === 'operators' || name === 'password' ? name : null;
}

/** The screens an account may open, in menu order: operators only change their own password. */
function screensFor(account: ConsoleAccount): Screen[] {
  if (account.role === 'admin') return ['progress', 'roster', 'operators', 'password'];
  if (account.role === 'leader') return ['progress', 'password'];
  return ['password'];
}

export function App() {
  const [account, setAccount] = useState<ConsoleAccount | null | undefined>(undefined);
  const [screen, setScreen] = useState<Screen | null>(() => screenFromHash(location.hash));

  useEffect(() => {
    call('session.get', {}).then(setAccount, (e: unknown) => {
      if (e instanceof ConsoleError && e.status === 401) setAccount(null);
      else setAccount(null);
    });
    const onHash = () => setScreen(screenFromHash(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const signOut = useCallback(async () => {
    await call('session.signOut', {}).catch(() => undefined);
    setAccount(null);
  }, []);

  /** A call refused with 401 means the session ended (expired, or the account was disabled). */
  const onExpired = useCallback(() => setAccount(null), []);

  if (account === undefined) return <main className="loading">{t.progress.loading}</main>;
  if (account === null) return <SignIn onSignedIn={setAccount} />;
  const allowed = screensFor(account);
  const current = screen && allowed.includes(screen) ? screen : allowed[0]!;
  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">{t.appName}</div>
        <nav aria-label={t.nav.label}>
          <ul>
            {allowed.map((s) => (
              <li key={s}>
                <a href={`#/${s}`} aria-current={s === current ? 'page' : undefined}>
                  {t.nav[s]}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            {account.name}（{account.operatorNo}）· {t.role[account.role]}
            {account.role === 'leader' ? ` · ${scopeLabel(account.scope)}` : ''}
          </span>
          <button type="button" className="link-button" onClick={() => void signOut()}>
            {t.nav.signOut}
          </button>
        </div>
      </header>
      <main className="content">
        {current === 'progress' && <Dashboard account={account} onExpired={onExpired} />}
        {current === 'roster' && <Roster onExpired={onExpired} />}
        {current === 'operators' && <Operators self={account} onExpired={onExpired} />}
        {current === 'password' && <ChangePassword onExpired={onExpired} />}
      </main>
    </div>
  );
}
