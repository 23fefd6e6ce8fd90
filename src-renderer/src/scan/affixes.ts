import type { ScannerSettings } from '../../../src-shared/contract/desk-api';

/** The reader's own marks taken off, when the code carries them. */
export function stripAffixes(code: string, scanner: Pick<ScannerSettings, 'prefix' | 'suffix'>): string {
  let text = code;
  if (scanner.prefix && text.startsWith(scanner.prefix)) text = text.slice(scanner.prefix.length);
  if (scanner.suffix && text.endsWith(scanner.suffix)) text = text.slice(0, text.length - scanner.suffix.length);
  return text;
}
