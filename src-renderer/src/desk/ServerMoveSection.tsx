import { useState } from 'react';
import type { SetupProbeDto } from '../../../src-shared/contract/sync-api';
import { deskText } from '../../../src-shared/i18n/desk.zh-CN';
import { call } from '../api/client';
import { notify } from '../feedback/notify';
import { messageOf } from '../store/errors';
import { ServerCheck } from '../sync/SetupScreen';
import { useDeskSettings } from './desk-settings-store';

const t = deskText.server;

/**
 * The server address: where the counter syncs now, and the move to another address of the same
 * server. The new address is probed first (its certificate shown to compare, as at setup), then
 * a 管理员 signs in there; the back end refuses another server with the reason.
 */
export function ServerMoveSection() {
  const server = useDeskSettings((s) => s.server);
  const [form, setForm] = useState({ serverUrl: '', caFile: '', operatorNo: '', password: '' });
  const [probe, setProbe] = useState<SetupProbeDto | null>(null);
  const [pin, setPin] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const trusted = probe !== null && (probe.check !== 'fingerprint' || pin !== null);

  if (!server) return <p className="settings-note">{t.standalone}</p>;

  const run = async (job: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await job();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const doProbe = () => run(async () => setProbe(await call('desk.probeServer', { serverUrl: form.serverUrl, caFile: form.caFile })));
  const doMove = () =>
    run(async () => {
      const state = await call('desk.moveServer', { ...form, ...(pin ? { pin } : {}) });
      useDeskSettings.getState().apply(state);
      notify('success', t.moved(state.server?.url ?? form.serverUrl));
      setForm({ serverUrl: '', caFile: '', operatorNo: '', password: '' });
      setProbe(null);
      setPin(null);
    }).finally(() => setForm((f) => ({ ...f, password: '' })));
  const changeServer = () => {
    setProbe(null);
    setPin(null);
  };

  return (
    <section className="settings-section" aria-labelledby="settings-server-title">
      <h3 id="settings-server-title">{t.title}</h3>
      <dl className="settings-current">
        <dt>{t.current}</dt>
        <dd className="mono" data-testid="server-url">
          {server.url}
        </dd>
        <dd>{t.check[server.check]}</dd>
      </dl>
      {!server.identityKnown && <p className="settings-note">{t.identityUnknownNote}</p>}
      <p className="settings-note">{t.hint}</p>
      <label>
        <span>{t.newUrl}</span>
        <input name="newServerUrl" className="mono" autoComplete="off" spellCheck={false} value={form.serverUrl} readOnly={probe !== null} onChange={set('serverUrl')} />
      </label>
      <label>
        <span>{t.caFile}</span>
        <input name="newServerCaFile" className="mono" autoComplete="off" spellCheck={false} value={form.caFile} readOnly={probe !== null} onChange={set('caFile')} />
      </label>
      {!probe && (
        <button type="button" className="btn btn-small" disabled={busy} onClick={() => void doProbe()}>
          {t.probe}
        </button>
      )}
      {probe && <ServerCheck probe={probe} trusted={trusted} onTrust={() => setPin(probe.fingerprint)} onChange={changeServer} />}
      {trusted && (
        <fieldset className="settings-supervisor">
          <legend>{t.supervisor}</legend>
          <label>
            <span>{t.operatorNo}</span>
            <input name="supervisorNo" className="mono" autoComplete="off" spellCheck={false} value={form.operatorNo} onChange={set('operatorNo')} />
          </label>
          <label>
            <span>{t.password}</span>
            <input name="supervisorPassword" type="password" autoComplete="off" value={form.password} onChange={set('password')} />
          </label>
          <button type="button" className="btn btn-small btn-primary" disabled={busy} onClick={() => void doMove()}>
            {busy ? t.moving : t.move}
          </button>
        </fieldset>
      )}
      {error && (
        <p className="settings-error" role="alert">
          {t.failed}：{error}
        </p>
      )}
    </section>
  );
}
