import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConsoleAccount, ProgressLine, ProgressView } from '../../src-shared/contract/console-api';
import { consoleText } from '../../src-shared/i18n/console.zh-CN';
import { call, ConsoleError, watchChanges } from './api';

const t = consoleText.progress;

interface Drill {
  college?: string;
  className?: string;
}

function percent(line: ProgressLine): string {
  return line.total === 0 ? '—' : `${((line.completed / line.total) * 100).toFixed(1)}%`;
}

function timeOf(iso: string): string {
  return new Date(iso).toLocaleTimeString('zh-CN', { hour12: false });
}

/**
 * 办理进度: the scope's line, each checkpoint and step, each college (or class), down to one
 * class's unfinished students. It re-reads whenever the server says its seq moved, at most one
 * read at a time, so a busy sync hour does not pile requests up.
 */
export function Dashboard({ account, onExpired }: { account: ConsoleAccount; onExpired: () => void }) {
  const [batches, setBatches] = useState<{ id: string; name: string }[] | null>(null);
  const [batchId, setBatchId] = useState<string | null>(null);
  const [drill, setDrill] = useState<Drill>({});
  const [view, setView] = useState<ProgressView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(true);
  const wanted = useRef<{ batchId: string; drill: Drill } | null>(null);
  const reading = useRef(false);
  const again = useRef(false);

  const fail = useCallback(
    (e: unknown) => {
      if (e instanceof ConsoleError && e.status === 401) onExpired();
      else setError(e instanceof Error ? e.message : String(e));
    },
    [onExpired],
  );

  const read = useCallback(async () => {
    if (!wanted.current) return;
    if (reading.current) {
      again.current = true;
      return;
    }
    reading.current = true;
    try {
      do {
        again.current = false;
        const target: { batchId: string; drill: Drill } | null = wanted.current;
        if (!target) break;
        const next = await call('progress.get', { batchId: target.batchId, ...target.drill });
        if (wanted.current === target) {
          setView(next);
          setError(null);
        }
      } while (again.current);
    } catch (e) {
      fail(e);
    } finally {
      reading.current = false;
    }
  }, [fail]);

  useEffect(() => {
    call('progress.batches', {}).then((r) => {
      setBatches(r.batches);
      setBatchId((id) => id ?? r.batches[0]?.id ?? null);
    }, fail);
  }, [fail]);

  useEffect(() => {
    if (!batchId) return;
    wanted.current = { batchId, drill };
    void read();
  }, [batchId, drill, read]);

  useEffect(() => watchChanges(() => void read(), setLive), [read]);

  if (batches === null) return <p className="loading">{t.loading}</p>;
  if (batches.length === 0) return <p className="empty">{t.noBatch}</p>;

  const crumbs: { label: string; drill: Drill }[] = [{ label: t.whole, drill: {} }];
  if (drill.college) crumbs.push({ label: drill.college, drill: { college: drill.college } });
  if (drill.className) crumbs.push({ label: drill.className, drill });

  return (
    <section className="dashboard" aria-labelledby="progress-title">
      <div className="toolbar">
        <h1 id="progress-title">{t.title}</h1>
        <label className="inline">
          {t.batch}
          <select
            value={batchId ?? ''}
            onChange={(e) => {
              setBatchId(e.target.value);
              setDrill({});
            }}
          >
            {batches.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        <nav aria-label="层级" className="crumbs">
          <ol>
            {crumbs.map((c, i) => (
              <li key={c.label}>
                {i === crumbs.length - 1 ? (
                  <span aria-current="location">{c.label}</span>
                ) : (
                  <button type="button" className="link-button" onClick={() => setDrill(c.drill)}>
                    {c.label}
                  </button>
                )}
              </li>
            ))}
          </ol>
        </nav>
        <p className="live" role="status" data-testid="live-status">
          <span className={live ? 'dot on' : 'dot off'} aria-hidden="true" />
          {live ? t.live : t.reconnecting}
          {view ? ` · ${t.updatedAt(timeOf(view.computedAt))}` : ''}
          {account.role === 'leader' ? ` · ${t.readOnly}` : ''}
        </p>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {view && <ProgressBody view={view} onDrill={setDrill} />}
    </section>
  );
}

function ProgressBody({ view, onDrill }: { view: ProgressView; onDrill: (drill: Drill) => void }) {
  const { line } = view;
  return (
    <>
      <dl className="figures" data-testid="figures">
        <div>
          <dt>{t.line.total}</dt>
          <dd data-testid="figure-total">{line.total}</dd>
        </div>
        <div>
          <dt>{t.line.completed}</dt>
          <dd className="passed" data-testid="figure-completed">
            {line.completed}
          </dd>
        </div>
        <div>
          <dt>{t.line.unfinished}</dt>
          <dd className="pending" data-testid="figure-unfinished">
            {line.unfinished}
          </dd>
        </div>
        <div>
          <dt>{t.line.previous}</dt>
          <dd>{line.previous}</dd>
        </div>
        <div>
          <dt>{t.line.rate}</dt>
          <dd>{percent(line)}</dd>
        </div>
      </dl>
      {line.total === 0 ? (
        <p className="empty">{t.empty}</p>
      ) : (
        <div className="columns">
          <CheckpointTable view={view} />
          {view.className === null ? <GroupTable view={view} onDrill={onDrill} /> : <UnfinishedTable view={view} />}
        </div>
      )}
    </>
  );
}

function CheckpointTable({ view }: { view: ProgressView }) {
  return (
    <div className="card table-card">
      <h2 id="cp-title">{t.checkpoints}</h2>
      <div className="scroll" tabIndex={0} role="region" aria-labelledby="cp-title">
        <table data-testid="checkpoint-table">
          <thead>
            <tr>
              <th scope="col">{t.checkpoint}</th>
              <th scope="col">{t.applicable}</th>
              <th scope="col">{t.passed}</th>
              <th scope="col">{t.rejected}</th>
              <th scope="col">{t.pending}</th>
            </tr>
          </thead>
          <tbody>
            {view.checkpoints.map((cp) => [
              <tr key={cp.id} className="checkpoint-row">
                <th scope="row">{cp.name}</th>
                <td>{cp.applicable}</td>
                <td colSpan={3}>
                  {t.completedOf} {cp.completed} / {cp.applicable}
                </td>
              </tr>,
              ...cp.steps.map((step) => (
                <tr key={`${cp.id}/${step.id}`} data-step={step.id}>
                  <th scope="row" className="step-name">
                    {step.name}
                    {step.required ? '' : t.optional}
                  </th>
                  <td>{step.applicable}</td>
                  <td className="passed" data-testid={`passed-${step.id}`}>
                    {step.passed}
                  </td>
                  <td className={step.rejected > 0 ? 'rejected' : undefined}>{step.rejected}</td>
                  <td className={step.pending > 0 ? 'pending' : undefined}>{step.pending}</td>
                </tr>
              )),
            ])}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function GroupTable({ view, onDrill }: { view: ProgressView; onDrill: (drill: Drill) => void }) {
  const colleges = view.groups.level === 'colleges';
  const title = colleges ? t.byCollege : t.byClass;
  return (
    <div className="card table-card">
      <h2 id="group-title">{title}</h2>
      <div className="scroll" tabIndex={0} role="region" aria-labelledby="group-title">
        <table data-testid="group-table">
          <thead>
            <tr>
              <th scope="col">{colleges ? t.college : t.className}</th>
              <th scope="col">{t.line.total}</th>
              <th scope="col">{t.line.completed}</th>
              <th scope="col">{t.line.unfinished}</th>
              <th scope="col">{t.line.previous}</th>
              <th scope="col">{t.line.rate}</th>
            </tr>
          </thead>
          <tbody>
            {view.groups.rows.map((row) => (
              <tr key={row.name}>
                <th scope="row">
                  <button
                    type="button"
                    className="link-button"
                    aria-label={t.open(row.name)}
                    onClick={() => onDrill(colleges ? { college: row.name } : { college: view.college!, className: row.name })}
                  >
                    {row.name}
                  </button>
                </th>
                <td>{row.line.total}</td>
                <td className="passed">{row.line.completed}</td>
                <td className={row.line.unfinished > 0 ? 'pending' : undefined}>{row.line.unfinished}</td>
                <td>{row.line.previous}</td>
                <td>{percent(row.line)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function UnfinishedTable({ view }: { view: ProgressView }) {
  const title = t.unfinishedTitle(view.className ?? '');
  return (
    <div className="card table-card">
      <h2 id="unfinished-title">{title}</h2>
      {view.unfinished.length === 0 ? (
        <p className="empty">{t.allDone}</p>
      ) : (
        <div className="scroll" tabIndex={0} role="region" aria-labelledby="unfinished-title">
          <table data-testid="unfinished-table">
            <thead>
              <tr>
                <th scope="col">{t.studentNo}</th>
                <th scope="col">{t.name}</th>
                <th scope="col">{t.missing}</th>
              </tr>
            </thead>
            <tbody>
              {view.unfinished.map((s) => (
                <tr key={s.studentNo}>
                  <td className="mono">{s.studentNo}</td>
                  <td className="nowrap">
                    {s.name}
                    {s.isPrevious && <span className="tag">{t.previousMark}</span>}
                  </td>
                  <td className="missing">{s.missing.join('；')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
