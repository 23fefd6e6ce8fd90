import type { RecordStep } from '../../../src-shared/contract/counter-api';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import './status-icon.css';

/** The five states of the legend: the four stored statuses plus 可办可不办 for pending optional steps. */
export type DisplayStatus = 'passed' | 'rejected' | 'pending' | 'na' | 'optional';

export const DISPLAY_ORDER: DisplayStatus[] = ['passed', 'rejected', 'optional', 'pending', 'na'];

const GLYPH: Record<DisplayStatus, string> = { passed: '✓', rejected: '✗', pending: '○', na: '—', optional: '◇' };

export function displayStatus(step: Pick<RecordStep, 'status' | 'required'>): DisplayStatus {
  if (step.status === 'pending' && !step.required) return 'optional';
  return step.status;
}

export function StatusIcon({ status }: { status: DisplayStatus }) {
  return (
    <span className={`status-icon status-${status}`} aria-hidden="true">
      {GLYPH[status]}
    </span>
  );
}

export function StatusPill({ status }: { status: DisplayStatus }) {
  return (
    <span className={`status-pill status-${status}`}>
      <StatusIcon status={status} />
      {zhCN.status[status]}
    </span>
  );
}
