import { reportZhCN as t } from '../../../src-shared/i18n/report.zh-CN';

/**
 * Page numbers for the system print dialog: Chromium fills @page margin boxes with the page
 * counters. printToPDF and page.pdf draw their own footer (footerTemplate) in the same margin
 * and would print both, so the rule is adopted only for a print started by the 打印 button.
 * The words come from i18n, and the CSP forbids inline <style>: a constructed stylesheet it is.
 */
const sheet = new CSSStyleSheet();
const label = t.doc.pageNumber('" counter(page) "', '" counter(pages) "');
sheet.replaceSync(`@page { @bottom-center { content: "${label}"; font-size: 8pt; color: #444; } }`);

/** `afterPrint` lets the caller drop what it laid out for the paper only. */
export function printWithPageNumbers(afterPrint?: () => void): void {
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  window.addEventListener(
    'afterprint',
    () => {
      document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
      afterPrint?.();
    },
    { once: true },
  );
  window.print();
}
