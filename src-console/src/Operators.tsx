import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CheckpointChoice, ConsoleAccount, ConsoleResults, OperatorView } from '../../src-shared/contract/console-api';
import { consoleText } from '../../src-shared/i18n/console.zh-CN';
import { call, ConsoleError } from './api';

const t = consoleText.operators;

type Listing = ConsoleResults['operators.list'];
type Open = { operatorNo: string; kind: 'grants' | 'password' } | null;
type Notice = { kind: 'error' | 'done'; text: string } | null;

/** 人员与授权: find, add, disable or enable operators, reset passwords, grant and revoke checkpoints. */
export function Operators({ self, onExpired }: { self: ConsoleAccount; onExpired: () => void }) {
  const [listing, setListing] = useState<Listing | null>(null);
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState<Notice>(null);

  const report = useCallback(
    (e: unknown) => {
      if (e instanceof ConsoleError && e.status === 401) onExpired();
      else setNotice({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    },
    [onExpired],
  );

  const load = useCallback(
    (text: string) => call('operators.list', text.trim() ? { query: text } : {}).then(setListing, report),
    [report],
  );

  useEffect(() => {
    void load('');
  }, [load]);

  /** Puts the changed operator in place, keeping the rest of the list as it is. */
  function replace(changed: OperatorView) {
    setListing((l) => (l ? { ...l, operators: l.operators.map((o) => (o.operatorNo === changed.operatorNo ? changed : o)) } : l));
  }

  async function act(work: () => Promise<string>) {
    try {
      setNotice({ kind: 'done', text: await work() });
    } catch (e) {
      report(e);
    }
  }

  function toggle(op: OperatorView) {
    if (!op.disabled && !window.confirm(t.confirmDisable(op.operatorNo, op.name))) return;
    void act(async () => {
      replace(await call('operators.setDisabled', { operatorNo: op.operatorNo, disabled: !op.disabled }));
      return op.disabled ? t.enabledDone(op.operatorNo) : t.disabledDone(op.operatorNo);
    });
  }

  return (
    <section aria-labelledby="operators-title">
      <div className="toolbar">
        <h1 id="operators-title">{t.title}</h1>
        <form
          className="search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            void load(query);
          }}
        >
          <input aria-label={t.search} placeholder={t.search} value={query} onChange={(e) => setQuery(e.target.value)} />
          <button type="submit">{t.searchButton}</button>
        </form>
      </div>
      <CreateOperator
        onCreated={(op) =>
          void act(async () => {
            await load(query);
            return t.created(op.operatorNo);
          })
        }
        onError={report}
      />
      {notice && (
        <p className={notice.kind === 'error' ? 'error' : 'done'} role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}
        </p>
      )}
      {listing && (
        <div className="card table-card">
          <table data-testid="operator-table">
            <caption className="visually-hidden">{t.title}</caption>
            <thead>
              <tr>
                <th scope="col">{t.operatorNo}</th>
                <th scope="col">{t.name}</th>
                <th scope="col">{t.role}</th>
                <th scope="col">{t.grants}</th>
                <th scope="col">{t.status}</th>
                <th scope="col">{t.actions}</th>
              </tr>
            </thead>
            <tbody>
              {listing.operators.length === 0 && (
                <tr>
                  <td colSpan={6} className="empty">
                    {t.none}
                  </td>
                </tr>
              )}
              {listing.operators.map((op) => [
                <tr key={op.operatorNo} data-operator={op.operatorNo} className={op.disabled ? 'disabled-row' : undefined}>
                  <td className="mono">{op.operatorNo}</td>
                  <td>{op.name}</td>
                  <td>{consoleText.role[op.role]}</td>
                  <td>{op.grants.length === 0 ? t.noGrants : op.grants.map((g) => g.checkpointName).join('、')}</td>
                  <td className={op.disabled ? 'rejected' : 'passed'}>{op.disabled ? t.disabled : t.enabled}</td>
                  <td>
                    <div className="row-actions">
                    <button type="button" onClick={() => setOpen({ operatorNo: op.operatorNo, kind: 'grants' })} aria-label={`${t.editGrants} ${op.operatorNo}`}>
                      {t.editGrants}
                    </button>
                    <button type="button" onClick={() => setOpen({ operatorNo: op.operatorNo, kind: 'password' })} aria-label={`${t.resetPassword} ${op.operatorNo}`}>
                      {t.resetPassword}
                    </button>
                    {op.operatorNo !== self.operatorNo && (
                      <button type="button" onClick={() => toggle(op)} aria-label={`${op.disabled ? t.enable : t.disable} ${op.operatorNo}`}>
                        {op.disabled ? t.enable : t.disable}
                      </button>
                    )}
                    </div>
                  </td>
                </tr>,
                open?.operatorNo === op.operatorNo && (
                  <tr key={`${op.operatorNo}-open`} className="open-row">
                    <td colSpan={6}>
                      {open.kind === 'grants' ? (
                        <Grants op={op} listing={listing} onChanged={replace} act={act} onClose={() => setOpen(null)} />
                      ) : (
                        <ResetPassword op={op} act={act} onClose={() => setOpen(null)} />
                      )}
                    </td>
                  </tr>
                ),
              ])}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function CreateOperator({ onCreated, onError }: { onCreated: (op: OperatorView) => void; onError: (e: unknown) => void }) {
  const [operatorNo, setOperatorNo] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      const op = await call('operators.create', { operatorNo, name, password });
      setOperatorNo('');
      setName('');
      setPassword('');
      onCreated(op);
    } catch (e) {
      onError(e);
    }
  }

  return (
    <form className="card create-form" onSubmit={(e) => void submit(e)} aria-labelledby="create-title">
      <h2 id="create-title">{t.add}</h2>
      <label>
        {t.operatorNo}
        <input value={operatorNo} onChange={(e) => setOperatorNo(e.target.value)} required autoComplete="off" />
      </label>
      <label>
        {t.name}
        <input value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" />
      </label>
      <label>
        {t.initialPassword}
        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required autoComplete="new-password" />
      </label>
      <button type="submit" className="primary">
        {t.create}
      </button>
    </form>
  );
}

interface RowProps {
  op: OperatorView;
  act: (work: () => Promise<string>) => Promise<void>;
  onClose: () => void;
}

function ResetPassword({ op, act, onClose }: RowProps) {
  const [password, setPassword] = useState('');
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void act(async () => {
          await call('operators.resetPassword', { operatorNo: op.operatorNo, password });
          onClose();
          return t.passwordDone(op.operatorNo);
        });
      }}
    >
      <label>
        {t.newPassword}
        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required autoComplete="new-password" />
      </label>
      <button type="submit" className="primary">
        {t.savePassword}
      </button>
      <button type="button" onClick={onClose}>
        {t.close}
      </button>
    </form>
  );
}

function Grants({ op, listing, onChanged, act, onClose }: RowProps & { listing: Listing; onChanged: (op: OperatorView) => void }) {
  const [checkpointId, setCheckpointId] = useState(listing.checkpoints[0]?.id ?? '');
  const [colleges, setColleges] = useState<string[]>([]);
  const chosen: CheckpointChoice | undefined = listing.checkpoints.find((c) => c.id === checkpointId);
  const nameOf = (id: string) => listing.checkpoints.find((c) => c.id === id)?.name ?? id;
  const scopeOf = (id: string) => listing.checkpoints.find((c) => c.id === id)?.scope;

  return (
    <div className="grants" aria-label={t.grantTitle(op.name)} role="group">
      <h3>{t.grantTitle(op.name)}</h3>
      <ul className="grant-list">
        {op.grants.map((g) => (
          <li key={g.checkpointId}>
            <span>
              {g.checkpointName}
              {scopeOf(g.checkpointId) === 'college' ? `（${g.colleges === 'all' ? t.allColleges : g.colleges.join('、')}）` : ''}
            </span>
            <button
              type="button"
              aria-label={`${t.revoke} ${g.checkpointName}`}
              onClick={() =>
                void act(async () => {
                  onChanged(await call('operators.revokeGrant', { operatorNo: op.operatorNo, checkpointId: g.checkpointId }));
                  return t.revoked(op.operatorNo, g.checkpointName);
                })
              }
            >
              {t.revoke}
            </button>
          </li>
        ))}
        {op.grants.length === 0 && <li>{t.noGrants}</li>}
      </ul>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            onChanged(await call('operators.grant', { operatorNo: op.operatorNo, checkpointId, colleges: chosen?.scope === 'college' ? colleges : [] }));
            setColleges([]);
            return t.granted(op.operatorNo, nameOf(checkpointId));
          });
        }}
      >
        <label>
          {t.checkpoint}
          <select value={checkpointId} onChange={(e) => setCheckpointId(e.target.value)}>
            {listing.checkpoints.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        {chosen?.scope === 'college' && (
          <fieldset className="colleges">
            <legend>{t.colleges}</legend>
            {listing.colleges.map((c) => (
              <label key={c} className="check">
                <input
                  type="checkbox"
                  checked={colleges.includes(c)}
                  onChange={(e) => setColleges((list) => (e.target.checked ? [...list, c] : list.filter((x) => x !== c)))}
                />
                {c}
              </label>
            ))}
          </fieldset>
        )}
        <button type="submit" className="primary">
          {t.grant}
        </button>
        <button type="button" onClick={onClose}>
          {t.close}
        </button>
      </form>
    </div>
  );
}
