import { useState, type FormEvent } from 'react';
import { messageOf } from '../store/errors';

/**
 * A form that sends a password (换人登录, unlock): busy while it runs, the refusal's message kept
 * and the password cleared after a refusal. On success it stays busy: the form goes away.
 */
export function usePasswordSubmit(job: () => Promise<void>, clearPassword: () => void) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await job();
    } catch (err) {
      setError(messageOf(err));
      clearPassword();
      setBusy(false);
    }
  };
  return { error, busy, submit };
}
