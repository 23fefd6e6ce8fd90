import { zhCN } from '../../src-shared/i18n/zh-CN';

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026年6月6日 星期三 23:02:05", as the header of the old web system showed it. */
export function formatClock(d: Date): string {
  const weekday = zhCN.ui.header.weekdays[d.getDay()] ?? '';
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return zhCN.ui.format.clock(d.getFullYear(), d.getMonth() + 1, d.getDate(), weekday, time);
}

/** "6月6日23:02" */
export function formatAsOf(d: Date): string {
  return zhCN.ui.format.asOf(d.getMonth() + 1, d.getDate(), `${pad(d.getHours())}:${pad(d.getMinutes())}`);
}

/** "2026-06-06 23:02:11" */
export function formatStamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "12.5%": share of `part` in `whole`, one decimal, "0%" for an empty whole. */
export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  const value = (part / whole) * 100;
  return `${Number.isInteger(value) ? value : value.toFixed(1)}%`;
}
