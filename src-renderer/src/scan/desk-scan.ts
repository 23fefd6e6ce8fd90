import { deskText } from '../../../src-shared/i18n/desk.zh-CN';
import { activeScanner, useDeskSettings } from '../desk/desk-settings-store';
import { notify } from '../feedback/notify';
import { counterOpen } from '../lock/lock-store';
import { routeScan } from '../quick/route-scan';
import { stripAffixes } from './affixes';

/** While 柜台设置's "试扫" line listens, a scan is shown there and opens no student. */
let testListener: ((code: string) => void) | null = null;

export function listenForTestScan(listener: (code: string) => void): () => void {
  testListener = listener;
  return () => {
    if (testListener === listener) testListener = null;
  };
}

/**
 * Every scan, from the reader or the camera: to the test line when it listens, nowhere while
 * the counter is locked (the operator hears why), else to the student lookup or quick mode.
 */
export function deskScan(code: string): void {
  const text = stripAffixes(code, activeScanner(useDeskSettings.getState()));
  if (testListener) testListener(text);
  else if (!counterOpen()) notify('info', deskText.lock.scanIgnored);
  else routeScan(text);
}
