import { useEffect, useState } from 'react';

/**
 * The report pages live behind the URL hash, so the counter needs no router, a reload keeps
 * the page, and Electron's printToPDF or a test can open a report straight from its address.
 */
export interface DailyParams {
  /** The 未完成名单 instead of the daily report; the rest of the scope is shared. */
  view?: 'chase';
  checkpointId?: string;
  college?: string;
  date?: string;
  /** The 未完成名单's filter (reports.chaseSummary's `filter`), kept in the address like the rest. */
  chaseCollege?: string;
  chaseClass?: string;
  chaseDorm?: string;
}

export type ReportRoute = { page: 'daily'; params: DailyParams } | { page: 'slip'; studentNo: string };

const DAILY = '#/report';
const SLIP = '#/slip/';

export function parseRoute(hash: string): ReportRoute | null {
  if (hash.startsWith(SLIP)) {
    const studentNo = decodeURIComponent(hash.slice(SLIP.length));
    return studentNo ? { page: 'slip', studentNo } : null;
  }
  if (hash === DAILY || hash.startsWith(`${DAILY}?`)) {
    const query = new URLSearchParams(hash.slice(DAILY.length + 1));
    const params: DailyParams = {};
    for (const key of ['checkpointId', 'college', 'date', 'chaseCollege', 'chaseClass', 'chaseDorm'] as const) {
      const value = query.get(key);
      if (value) params[key] = value;
    }
    if (query.get('view') === 'chase') params.view = 'chase';
    return { page: 'daily', params };
  }
  return null;
}

export function dailyHash(params: DailyParams): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
  const text = query.toString();
  return text ? `${DAILY}?${text}` : DAILY;
}

export function slipHash(studentNo: string): string {
  return `${SLIP}${encodeURIComponent(studentNo)}`;
}

export function openDailyReport(): void {
  window.location.hash = DAILY;
}

/** Back to the counter screen; the hash is dropped so a reload lands on the counter too. */
export function closeReports(): void {
  window.history.pushState(window.history.state, '', window.location.pathname + window.location.search);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useReportRoute(): ReportRoute | null {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
