import { DEFAULT_WEDGE_OPTIONS, type WedgeOptions } from './wedge';

export const SCANNER_SETTINGS_KEY = 'lixiao.scanner';

/**
 * A browser's own override of the desk's reader timing (柜台设置 keeps the desk's in the
 * replica): localStorage "lixiao.scanner" = {"idleCommitMs": 0, ...}, which the e2e tests use
 * to widen the timing for a busy machine. Unknown keys and non-numbers are ignored rather than
 * trusted.
 */
export function readScannerSettings(storage: Pick<Storage, 'getItem'>): Partial<WedgeOptions> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(storage.getItem(SCANNER_SETTINGS_KEY) ?? '{}');
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const settings: Partial<WedgeOptions> = {};
  for (const key of Object.keys(DEFAULT_WEDGE_OPTIONS) as (keyof WedgeOptions)[]) {
    const value = (parsed as Record<string, unknown>)[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) settings[key] = value;
  }
  return settings;
}
