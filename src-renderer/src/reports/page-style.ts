import { reportZhCN as t } from '../../../src-shared/i18n/report.zh-CN';

/**
 * Page numbers for the system print dialog: Chromium fills @page margin boxes with the page
 * counters. The words come from i18n, and the CSP forbids inline <style>, so the rule goes in
 * through a constructed stylesheet, adopted only while a report page is open.
 */
const sheet = new CSSStyleSheet();
const label = t.doc.pageNumber('" counter(page) "', '" counter(pages) "');
sheet.replaceSync(`@page { @bottom-center { content: "${label}"; font-size: 9pt; color: #444; } }`);

export function adoptPageNumbers(): () => void {
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  return () => {
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
  };
}
