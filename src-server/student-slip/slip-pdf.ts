import { createHmac } from 'node:crypto';
import QRCode from 'qrcode';
import type { StudentStatus } from '../../src-shared/contract/student-api';
import { slipPayload, slipVerificationCode, type HmacSha256 } from '../../src-shared/domain/slip-code';
import { studentText } from '../../src-shared/i18n/student.zh-CN';
import { zhCN } from '../../src-shared/i18n/zh-CN';
import type { CjkFonts } from './cjk-fonts';
import { A4, PdfPage } from './pdf-page';

const t = studentText.pdf;
const hmacSha256: HmacSha256 = (key, message) => createHmac('sha256', key).update(message).digest();

export interface SlipCode {
  payload: string;
  code: string;
}

/** The same payload and check code the counter prints and verifies (src-shared/domain/slip-code.ts). */
export function slipCodeOf(idHashKey: string, batchId: string, studentNo: string): SlipCode {
  const code = slipVerificationCode(hmacSha256, idHashKey, batchId, studentNo);
  return { payload: slipPayload(batchId, studentNo, code), code };
}

/** "2027-06-21 14:05" in China time, where every campus of this product is. */
export function slipTime(iso: string): string {
  const shifted = new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 16)}`;
}

const MARGIN = 42;
const RIGHT = A4.width - MARGIN;

/**
 * The 离校单 of a finished student on one A4 page: their facts (身份证号 masked), every
 * checkpoint and step with status, time and note, the verification QR and code, signature lines.
 * The rows shrink to keep a long batch on the one page.
 */
export function slipPdf(fonts: CjkFonts, status: StudentStatus, code: SlipCode, now: Date): Buffer {
  const page = new PdfPage(fonts);
  const s = status.student;
  page.text(t.title(status.university), MARGIN, 62, 18);
  page.text(t.batch(status.batch.name), MARGIN, 84, 10.5, 0.25);

  const qr = QRCode.create(code.payload, { errorCorrectionLevel: 'M' }).modules;
  const qrSize = 96;
  const cell = qrSize / (qr.size + 2);
  const qrLeft = RIGHT - qrSize;
  const qrTop = 36;
  for (let r = 0; r < qr.size; r++) {
    for (let c = 0; c < qr.size; c++) if (qr.get(r, c)) page.fill(qrLeft + (c + 1) * cell, qrTop + (r + 1) * cell, cell + 0.05, cell + 0.05);
  }
  const codeText = t.code(code.code);
  page.text(codeText, RIGHT - page.measure(codeText, 9), qrTop + qrSize + 12, 9);

  const facts: [string, string][] = [
    [t.name, s.name],
    [t.studentNo, s.studentNo],
    [t.college, s.college],
    [t.major, s.major],
    [t.className, s.className],
    [t.idCard, s.idCardMasked],
  ];
  facts.forEach(([label, value], i) => {
    const x = MARGIN + (i % 2) * 210;
    const y = 112 + Math.floor(i / 2) * 18;
    page.text(`${label}：`, x, y, 10.5, 0.3);
    page.text(page.fit(value, 10.5, 145), x + 58, y, 10.5);
  });
  page.text(t.complete, MARGIN, 180, 13);

  const rows = status.checkpoints.reduce((n, cp) => n + 1 + cp.steps.length, 0);
  const top = 200;
  const bottom = A4.height - 130;
  const rowHeight = Math.min(18, (bottom - top - 18) / rows);
  const size = Math.min(9.5, rowHeight * 0.58);
  const columns = [MARGIN + 10, MARGIN + 210, MARGIN + 280, MARGIN + 370];
  page.fill(MARGIN, top, RIGHT - MARGIN, rowHeight, 0.9);
  [t.columns.step, t.columns.status, t.columns.time, t.columns.note].forEach((label, i) => page.text(label, columns[i]!, top + rowHeight * 0.7, size));
  let y = top + rowHeight;
  for (const cp of status.checkpoints) {
    page.text(cp.name, MARGIN + 2, y + rowHeight * 0.72, size);
    y += rowHeight;
    for (const step of cp.steps) {
      page.text(page.fit(step.name, size, 190), columns[0]!, y + rowHeight * 0.72, size, 0.15);
      page.text(step.status === 'pending' && !step.required ? zhCN.status.optional : zhCN.status[step.status], columns[1]!, y + rowHeight * 0.72, size, 0.15);
      if (step.updatedAt) page.text(slipTime(step.updatedAt), columns[2]!, y + rowHeight * 0.72, size, 0.15);
      if (step.note) page.text(page.fit(step.note, size, RIGHT - columns[3]!), columns[3]!, y + rowHeight * 0.72, size, 0.15);
      y += rowHeight;
    }
    page.line(MARGIN, y, RIGHT, y, 0.4, 0.6);
  }

  page.text(t.signStudent, MARGIN, A4.height - 96, 11);
  page.text(t.signOffice, MARGIN + 260, A4.height - 96, 11);
  page.text(t.generatedAt(slipTime(now.toISOString())), MARGIN, A4.height - 60, 8.5, 0.35);
  page.text(t.verifyHint, MARGIN, A4.height - 46, 8.5, 0.35);
  return page.toBuffer(`${t.title(status.university)} ${s.studentNo}`);
}
