import type { XlsxFile } from '../../../src-shared/contract/report-api';

/** The back end sends workbooks as base64; the browser saves them through a temporary link. */
export function saveXlsx(file: XlsxFile): void {
  const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
  const blob = new Blob([bytes], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download by now; revoking later keeps slow disks happy.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A picked file as base64, for the counter API call. */
export async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  // String.fromCharCode with a spread overflows the stack on megabytes; 32 KB at a time does not.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
