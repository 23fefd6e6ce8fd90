import { useEffect, useState } from 'react';
import { deskText } from '../../../src-shared/i18n/desk.zh-CN';
import { listenForTestScan } from '../scan/desk-scan';

const t = deskText.settings;

/**
 * 试扫: while 柜台设置 is open every scan lands here (reader or camera preview), through the
 * same detector and with the dialog's unsaved timing and prefix/suffix, and opens no student.
 * The box is the one place in the dialog where the reader is listened to (data-scan="on").
 */
export function ScanTestLine() {
  const [read, setRead] = useState<string | null>(null);
  useEffect(() => listenForTestScan(setRead), []);
  return (
    <div className="scan-test">
      <label>
        <span>{t.testLine}</span>
        <input className="mono" name="scanTest" readOnly data-scan="on" placeholder={t.testWaiting} value={read ?? ''} />
      </label>
      <p className="scan-test-result" role="status" data-testid="scan-test-result">
        {read === null ? t.testNote : t.testRead(read)}
      </p>
    </div>
  );
}
