import type { WebContents } from 'electron';
import { PDF_MARGINS_MM, pdfFooterTemplate } from '../reports/pdf-footer';

const MM_PER_INCH = 25.4;

/**
 * Saves the report page a window shows (#/report or #/slip/<学号>) as an A4 PDF with
 * "第 x 页 共 y 页" in the footer. The page's own @page page numbers are only adopted for the
 * print dialog, so the footer here is the only one.
 */
export function printReportToPdf(contents: WebContents): Promise<Buffer> {
  const inches = (mm: number) => mm / MM_PER_INCH;
  return contents.printToPDF({
    pageSize: 'A4',
    printBackground: true,
    displayHeaderFooter: true,
    headerTemplate: '<span></span>',
    footerTemplate: pdfFooterTemplate(),
    margins: {
      top: inches(PDF_MARGINS_MM.top),
      bottom: inches(PDF_MARGINS_MM.bottom),
      left: inches(PDF_MARGINS_MM.left),
      right: inches(PDF_MARGINS_MM.right),
    },
  });
}
