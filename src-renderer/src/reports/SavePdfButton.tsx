import { useState } from 'react';
import { reportZhCN as t } from '../../../src-shared/i18n/report.zh-CN';

/**
 * 保存为 PDF: only in the Electron app, whose printToPDF gives a predictable A4 file with page
 * numbers; in a browser the print dialog's own "save as PDF" does the same job.
 */
export function SavePdfButton({ disabled, fileName }: { disabled: boolean; fileName: string }) {
  const [message, setMessage] = useState('');
  const savePdf = window.lixiaoBridge?.savePdf;
  if (!savePdf) return null;
  const save = async () => {
    setMessage('');
    const result = await savePdf(fileName);
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
