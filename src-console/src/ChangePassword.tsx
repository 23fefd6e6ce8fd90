import { useState, type FormEvent } from 'react';
import { consoleText as t } from '../../src-shared/i18n/console.zh-CN';
import { call, ConsoleError } from './api';

export function ChangePassword({ onExpired }: { onExpired: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [message, setMessage] = useState<{ kind: 'error' | 'done'; text: string } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (next !== again) {
      setMessage({ kind: 'error', text: t.password.mismatch });
      return;
    }
    try {
      await call('session.changePassword', { currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      setAgain('');
      setMessage({ kind: 'done', text: t.password.done });
    } catch (e) {
      if (e instanceof ConsoleError && e.status === 401) return onExpired();
      setMessage({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    }
  }

  return (
    <section className="card narrow" aria-labelledby="password-title">
      <h1 id="password-title">{t.password.title}</h1>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <label>
          {t.password.current}
          <input type="password" value={current} onChange={(e) => setCurrent(e.target.value)} autoComplete="current-password" required />
        </label>
        <label>
          {t.password.next}
          <input type="password" value={next} onChange={(e) => setNext(e.target.value)} autoComplete="new-password" required />
        </label>
        <label>
          {t.password.again}
          <input type="password" value={again} onChange={(e) => setAgain(e.target.value)} autoComplete="new-password" required />
        </label>
        {message && (
          <p className={message.kind === 'error' ? 'error' : 'done'} role={message.kind === 'error' ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
        <button type="submit" className="primary">
          {t.password.submit}
        </button>
      </form>
    </section>
  );
}
