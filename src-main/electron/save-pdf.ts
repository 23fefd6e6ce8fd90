import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { BrowserWindow, dialog, type WebContents } from 'electron';
import { printReportToPdf } from './print';

export type SavePdfResult = { saved: true; path: string } | { saved: false; error?: string };

/** The report window's 保存为 PDF: printToPDF (A4, page-numbered footer), then a save dialog. */
export async function saveReportPdf(contents: WebContents, suggestedName: unknown): Promise<SavePdfResult> {
  const name = basename(typeof suggestedName === 'string' && suggestedName.trim() ? suggestedName : '离校点日报.pdf');
  const win = BrowserWindow.fromWebContents(contents);
  try {
    const pdf = await printReportToPdf(contents);
    const options = { defaultPath: name.endsWith('.pdf') ? name : `${name}.pdf`, filters: [{ name: 'PDF', extensions: ['pdf'] }] };
    const choice = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
    if (choice.canceled || !choice.filePath) return { saved: false };
    await writeFile(choice.filePath, pdf);
    return { saved: true, path: choice.filePath };
  } catch (e) {
    return { saved: false, error: `保存 PDF 失败：${(e as Error).message}` };
  }
}
