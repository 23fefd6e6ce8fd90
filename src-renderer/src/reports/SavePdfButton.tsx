import { useState } from 'react';
import { reportZhCN as t } from '../../../src-shared/i18n/report.zh-CN';

/**
 * 保存为 PDF: only in the Electron app, whose printToPDF gives a predictable A4 file with page
 * numbers; in a browser the print dialog's own "save as PDF" does the same job.
 */
interface Props {
  disabled: boolean;
  fileName: string;
  /** Lays out what only the paper shows (the chase list); false when cancelled or failed. */
  prepare?: () => Promise<boolean>;
  /** Drops it again once the PDF is made. */
  after?: () => void;
}

export function SavePdfButton({ disabled, fileName, prepare, after }: Props) {
  const [message, setMessage] = useState('');
  const savePdf = window.lixiaoBridge?.savePdf;
  if (!savePdf) return null;
  const save = async () => {
    setMessage('');
    if (prepare && !(await prepare())) return;
    const result = await savePdf(fileName).finally(() => after?.());
    if (result.saved) setMessage(t.ui.savedPdf(result.path));
    else if (result.error) setMessage(result.error);
  };
  return (
    <>
      <button type="button" className="btn" disabled={disabled} onClick={() => void save()}>
        {t.ui.savePdf}
      </button>
      {message && <span className="toolbar-message">{message}</span>}
    </>
  );
}
