import { useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { SyncStatusDto } from '../../../src-shared/contract/sync-api';
import { syncText } from '../../../src-shared/i18n/sync.zh-CN';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { call } from '../api/client';
import { Dialog } from '../batch/Dialog';
import { notify } from '../feedback/notify';
import { usePasswordSubmit } from '../components/use-password-submit';
import { useSessionStore } from '../store/session';

const t = syncText.signIn;
const PROGRESS_POLL_MS = 300;

/** While the sign-in call runs, a widened roster is being downloaded and merged: its progress comes with the sync status. */
function useRosterMerge(active: boolean): SyncStatusDto['rosterMerge'] {
  const [progress, setProgress] = useState<SyncStatusDto['rosterMerge']>(null);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      call('sync.status', {}).then(
        (status) => setProgress(status.rosterMerge),
        () => undefined,
      );
    }, PROGRESS_POLL_MS);
    return () => clearInterval(timer);
  }, [active]);
  return active ? progress : null;
}

/** 换人登录 / 交接班: 工号 focused, Enter signs in, Esc closes. */
function SignInDialog({ onClose }: { onClose(): void }) {
  const session = useSessionStore((s) => s.session);
  const [operatorNo, setOperatorNo] = useState('');
  const [password, setPassword] = useState('');
  const { error, busy, submit } = usePasswordSubmit(
    async () => {
      const result = await useSessionStore.getState().signIn({ operatorNo, password });
      const { id, name } = result.session.operator;
      const said = result.offline ? t.signedInOffline(name, id) : t.signedIn(name, id);
      const pending = result.roster === 'pending' ? ` ${t.rosterPending(result.rosterError)}` : '';
      notify(result.offline || pending ? 'info' : 'success', said + pending);
      onClose();
    },
    () => setPassword(''),
  );
  const merge = useRosterMerge(busy);
  const operatorInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);

  useEffect(() => operatorInput.current?.focus(), []);
  // After a refusal the fields are enabled again only on the next render: focus the password then.
  useEffect(() => {
    if (error && !busy) passwordInput.current?.focus();
  }, [error, busy]);

  return (
    <Dialog
      title={t.title}
      meta={session ? t.current(session.operator.name, session.operator.id) : undefined}
      className="sign-in-dialog"
      labelledBy="sign-in-title"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {t.cancel} <kbd className="kbd">Esc</kbd>
          </button>
          <button type="submit" form="sign-in-form" className="btn btn-primary" disabled={busy}>
            {busy ? t.busy : t.submit} <kbd className="kbd">Enter</kbd>
          </button>
        </>
      }
    >
      <form id="sign-in-form" className="sign-in-form" onSubmit={(e) => void submit(e)}>
        <p className="sign-in-hint">{t.hint}</p>
        <label>
          <span>{t.operatorNo}</span>
          <input
            ref={operatorInput}
            name="operatorNo"
            className="mono"
            value={operatorNo}
            autoComplete="off"
            spellCheck={false}
            disabled={busy}
            onChange={(e) => setOperatorNo(e.target.value)}
          />
        </label>
        <label>
          <span>{t.password}</span>
          <input
            ref={passwordInput}
            name="password"
            type="password"
            value={password}
            autoComplete="off"
            disabled={busy}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p className="sign-in-error" role="alert">
            {error}
          </p>
        )}
        {merge && (
          <div className="sign-in-merge" role="status">
            <span>{t.merging}</span>
            <progress value={merge.done} max={Math.max(merge.total, 1)} />
            <span>{t.progress(merge.done, merge.total)}</span>
          </div>
        )}
      </form>
    </Dialog>
  );
}

/** The current operator in the header, as the button that opens 换人登录. */
export function OperatorSwitch() {
  const session = useSessionStore((s) => s.session);
  const offline = useSessionStore((s) => s.offlineSignIn);
  const [open, setOpen] = useState(false);
  if (!session) return null;
  const { name, id } = session.operator;
  return (
    <div className="header-operator">
      {/* The header is full at 1366 px: the name on the button says who works here, the title says the rest. */}
      <button
        type="button"
        className="operator-switch"
        title={`${zhCN.ui.header.operator}：${name}（${id}）\n${t.title}`}
        onClick={() => setOpen(true)}
      >
        <span className="operator-name">{name}</span>
        {offline && (
          <span className="operator-offline" title={t.offlineBadgeTitle}>
            {t.offlineBadge}
          </span>
        )}
        <span className="operator-switch-cta">{t.open}</span>
      </button>
      {/* Out of the header's subtree: its nowrap, white text and flex layout must not reach the dialog. */}
      {open && createPortal(<SignInDialog onClose={() => setOpen(false)} />, document.body)}
    </div>
  );
}
