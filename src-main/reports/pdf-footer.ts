import { reportZhCN as t } from '../../src-shared/i18n/report.zh-CN';

/** A4 with the margins the report's CSS @page asks for; the bottom one leaves room for the footer. */
export const PDF_MARGINS_MM = { top: 15, bottom: 18, left: 15, right: 15 } as const;

/**
 * The footer Chromium draws on every page of printToPDF / page.pdf: it fills the pageNumber and
 * totalPages spans itself. The footer is rendered apart from the page, without its webfont, so it
 * names the system CJK fonts first.
 */
export function pdfFooterTemplate(): string {
  const label = t.doc.pageNumber('<span class="pageNumber"></span>', '<span class="totalPages"></span>');
  return `<div style="width:100%;text-align:center;font-size:8pt;color:#444;font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei','PingFang SC',sans-serif">${label}</div>`;
}
