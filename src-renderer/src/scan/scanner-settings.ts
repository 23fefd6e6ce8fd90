import { DEFAULT_WEDGE_OPTIONS, type WedgeOptions } from './wedge';

export const SCANNER_SETTINGS_KEY = 'lixiao.scanner';

/**
 * Readers differ (with or without an Enter suffix, fast or slow over a hub), so a desk can
 * tune the detector: localStorage "lixiao.scanner" = {"idleCommitMs": 0, ...}. Unknown keys
 * and non-numbers are ignored rather than trusted.
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
