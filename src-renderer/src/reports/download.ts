import type { XlsxFile } from '../../../src-shared/contract/report-api';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The back end sends workbooks as base64; the browser saves them through a temporary link. */
export function saveXlsx(file: XlsxFile): void {
  const binary = atob(file.base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: XLSX_TYPE }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download by now; revoking later keeps slow disks happy.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
