import { useEffect, useRef, useState } from 'react';
import type { Session } from '../../../src-shared/contract/counter-api';
import type { DamagedReplicaDto, SetupStateDto } from '../../../src-shared/contract/sync-api';
import { syncText } from '../../../src-shared/i18n/sync.zh-CN';
import { call } from '../api/client';
import { messageOf } from '../store/errors';

const t = syncText.setup;
const POLL_MS = 300;

type Login = Awaited<ReturnType<typeof call<'setup.login'>>>;
type Probe = Awaited<ReturnType<typeof call<'setup.probe'>>>;

/** The fingerprint in groups of four bytes, easier to read out over the phone. */
function fingerprintGroups(fingerprint: string): string[] {
  return fingerprint.split(':').reduce<string[]>((groups, byte, i) => {
    if (i % 4 === 0) groups.push(byte);
    else groups[groups.length - 1] += `:${byte}`;
    return groups;
  }, []);
}

/**
 * The server's certificate as setup shows it, before any password is sent: loopback HTTP needs
 * nothing, a campus CA has verified it, or the operator compares the fingerprint with the admin's.
 */
export function ServerCheck({ probe, trusted, onTrust, onChange }: { probe: Probe; trusted: boolean; onTrust: () => void; onChange: () => void }) {
  if (probe.check === 'loopback') return <p className="setup-check">{t.loopback}</p>;
  return (
    <section className="setup-check" aria-labelledby="setup-fingerprint-title">
      <h2 id="setup-fingerprint-title">{probe.check === 'ca' ? t.caVerified : t.fingerprintTitle}</h2>
      {probe.check === 'fingerprint' && !trusted && <p className="setup-hint">{t.fingerprintHint}</p>}
      <p className="setup-fingerprint" data-testid="setup-fingerprint" aria-label="SHA-256">
        {fingerprintGroups(probe.fingerprint ?? '').map((group, i) => (
          <span key={i}>{group}</span>
        ))}
      </p>
      {probe.check === 'fingerprint' && !trusted && (
        <div className="setup-actions">
          <button type="button" className="btn btn-primary" onClick={onTrust}>
            {t.fingerprintMatches}
          </button>
          <button type="button" className="btn" onClick={onChange}>
            {t.changeServer}
          </button>
        </div>
      )}
      {trusted && probe.check === 'fingerprint' && <p>{t.trusted}</p>}
    </section>
  );
}

/**
 * Whether the back end has no replica yet and serves the setup screen (null while asking), and
 * whether it refused its replica as damaged.
 */
export function useSetupNeeded(): [boolean | null, () => void, DamagedReplicaDto | null] {
  const [needed, setNeeded] = useState<boolean | null>(null);
  const [damaged, setDamaged] = useState<DamagedReplicaDto | null>(null);
  useEffect(() => {
    call('setup.state', {}).then(
      (state) => {
        setNeeded(state.needed);
        setDamaged(state.damaged);
      },
      () => setNeeded(false),
    );
  }, []);
  return [needed, () => setNeeded(false), damaged];
}

/**
 * First run: server address, operator login, batch, the snapshot download with progress, then
 * the checkpoint (its names come with the downloaded batch).
 */
export function SetupScreen({ onDone }: { onDone: () => void }) {
  const [form, setForm] = useState({ serverUrl: '', caFile: '', operatorNo: '', password: '', counterName: t.defaultCounterName, registrationCode: '' });
  const [probe, setProbe] = useState<Probe | null>(null);
  const [pin, setPin] = useState<string | null>(null);
  const [login, setLogin] = useState<Login | null>(null);
  const [batchId, setBatchId] = useState('');
  const [session, setSession] = useState<Session | null>(null);
  const [checkpointId, setCheckpointId] = useState('');
  const [state, setState] = useState<SetupStateDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const done = useRef(onDone);
  done.current = onDone;
  const downloading = state?.progress != null && state.error === null && state.needed;
  useEffect(() => {
    if (!downloading) return;
    const timer = setInterval(() => {
      call('setup.state', {}).then((next) => {
        // Once done the back end forgets the progress; the bar stays full until the operator goes on.
        setState((prev) => {
          if (next.needed) return next;
          const total = prev?.progress?.total ?? 0;
          return { ...next, progress: { done: total, total } };
        });
        if (next.error) setError(next.error);
        if (!next.needed) {
          call('session.get', {}).then((loaded) => {
            setSession(loaded);
            setCheckpointId(loaded.checkpointId);
          }, (e: unknown) => setError(messageOf(e)));
        }
      }, (e: unknown) => setError(messageOf(e)));
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [downloading]);

  const trusted = probe !== null && (probe.check !== 'fingerprint' || pin !== null);
  const certificate = { ...(form.caFile.trim() ? { caFile: form.caFile } : {}), ...(pin ? { pin } : {}) };

  const field = (key: keyof typeof form, label: string, options: { type?: string; locked?: boolean; hint?: string } = {}) => (
    <label>
      <span>{label}</span>
      <input
        type={options.type ?? 'text'}
        value={form[key]}
        disabled={options.locked ?? login !== null}
        onChange={(e) => setForm({ ...form, [key]: e.target.value })}
        name={key}
        {...(options.hint ? { 'aria-describedby': `${key}-hint` } : {})}
      />
      {options.hint && (
        <small id={`${key}-hint`} className="setup-hint">
          {options.hint}
        </small>
      )}
    </label>
  );

  const doProbe = async () => {
    setBusy(true);
    setError(null);
    try {
      setProbe(await call('setup.probe', { serverUrl: form.serverUrl, ...(form.caFile.trim() ? { caFile: form.caFile } : {}) }));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const changeServer = () => {
    setProbe(null);
    setPin(null);
    setError(null);
  };

  const doLogin = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await call('setup.login', { serverUrl: form.serverUrl, operatorNo: form.operatorNo, password: form.password, ...certificate });
      setLogin(answer);
      setBatchId(answer.batches[0]?.id ?? '');
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const finish = async () => {
    try {
      if (session && checkpointId !== session.checkpointId) await call('session.setCheckpoint', { checkpointId });
      done.current();
    } catch (e) {
      setError(messageOf(e));
    }
  };

  const start = async () => {
    setError(null);
    try {
      setState(await call('setup.start', { ...form, ...certificate, batchId }));
    } catch (e) {
      setError(messageOf(e));
    }
  };

  const progress = state?.progress;
  return (
    <main className="setup-screen" data-testid="setup-screen">
      <h1>{t.title}</h1>
      {field('serverUrl', t.serverUrl, { locked: probe !== null })}
      {field('caFile', t.caFile, { locked: probe !== null, hint: t.caFileHint })}
      {!probe && (
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void doProbe()}>
          {t.check}
        </button>
      )}
      {probe && <ServerCheck probe={probe} trusted={trusted} onTrust={() => setPin(probe.fingerprint)} onChange={changeServer} />}
      {trusted && (
        <>
          {field('counterName', t.counterName)}
          {field('operatorNo', t.operatorNo)}
          {field('password', t.password, { type: 'password' })}
        </>
      )}
      {trusted && !login && (
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void doLogin()}>
          {t.connect}
        </button>
      )}
      {login && (
        <>
          <label>
            <span>{t.batch}</span>
            <select value={batchId} onChange={(e) => setBatchId(e.target.value)} name="batchId">
              {login.batches.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
          </label>
          {field('registrationCode', t.registrationCode, { locked: session !== null || downloading, hint: t.registrationCodeHint })}
          {!session && (
            <button type="button" className="btn btn-primary" disabled={downloading} onClick={() => void start()}>
              {downloading ? t.downloading : t.download}
            </button>
          )}
        </>
      )}
      {session && (
        <>
          <label>
            <span>{t.checkpoint}</span>
            <select value={checkpointId} onChange={(e) => setCheckpointId(e.target.value)} name="checkpointId">
              {session.checkpoints.map((cp) => (
                <option key={cp.id} value={cp.id}>
                  {cp.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn btn-primary" onClick={() => void finish()}>
            {t.begin}
          </button>
        </>
      )}
      {progress && (
        <div>
          <progress className="setup-progress" value={progress.done} max={Math.max(progress.total, 1)} />
          <span>{t.progress(progress.done, progress.total)}</span>
        </div>
      )}
      {error && (
        <p className="sync-error" role="alert">
          {t.failed}：{error}
        </p>
      )}
    </main>
  );
}
