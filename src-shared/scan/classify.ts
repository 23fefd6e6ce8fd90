/** What a scanned or typed text is. Pure: no lookups happen here. */
export type ScanResult =
  | { kind: 'studentNo'; value: string }
  | { kind: 'idCard'; value: string }
  | { kind: 'idLast6'; value: string }
  | { kind: 'name'; value: string }
  | { kind: 'invalid'; reason: 'empty' | 'id_checksum' | 'unrecognised'; raw: string };

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** Full-width digits and letters (from IMEs and some Excel files) to ASCII. */
export function toHalfWidth(text: string): string {
  return text.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

export function idCardCheckDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK[sum % 11] ?? '';
}

export function isValidIdCard(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  return idCardCheckDigit(id.slice(0, 17)) === id[17];
}

/**
 * "430102199901011234" -> "**************1234": the last 4, which the stored last 6 contain
 * anyway. The region code stays hidden: with it and the last 6 only the birth month is left to
 * guess (docs/security.md, What is stored). Short or malformed text shows at most its last 4.
 */
export function maskIdCard(id: string): string {
  if (id.length < 8) return '*'.repeat(id.length);
  return `${'*'.repeat(id.length - 4)}${id.slice(-4)}`;
}

/** Hex digits of the keyed hash kept per student: 4 bits, see idHashPrefix. */
const ID_HASH_HEX_DIGITS = 1;

/**
 * What is stored of HMAC-SHA256(key, 身份证号): its first hex digit. A search by full number
 * matches the last 6 and this digit, so two students share an answer only when they share the
 * last 6 and the digit (1 in 16 of the rare last-6 twins). Whoever also holds the key still
 * cannot tell a student's number from the 15 in 16 other candidates that fit; the full digest
 * would single it out (docs/security.md).
 */
export function idHashPrefix(hmacHex: string): string {
  return hmacHex.slice(0, ID_HASH_HEX_DIGITS);
}

export interface ClassifyOptions {
  /** Pattern whose first capture group is the 学号 inside a QR payload. */
  qrPattern?: RegExp;
  /** 学号 shape; the demo roster uses 10 digits, schools differ. */
  studentNoPattern?: RegExp;
}

const DEFAULT_STUDENT_NO = /^\d{8,13}$/;

function fromQrPayload(text: string, opts: ClassifyOptions): string | null {
  if (opts.qrPattern) {
    // A configured pattern with the g or y flag keeps state between calls; every scan starts fresh.
    opts.qrPattern.lastIndex = 0;
    const m = opts.qrPattern.exec(text);
    if (m?.[1]) return m[1];
  }
  if (text.startsWith('{')) {
    try {
      const obj = JSON.parse(text) as Record<string, unknown>;
      for (const key of ['studentNo', 'xh', 'sid', '学号']) {
        const v = obj[key];
        if (typeof v === 'string' || typeof v === 'number') return String(v);
      }
    } catch {
      return null;
    }
    return null;
  }
  if (/^https?:\/\//i.test(text)) {
    try {
      const url = new URL(text);
      for (const key of ['studentNo', 'xh', 'sid']) {
        const v = url.searchParams.get(key);
        if (v) return v;
      }
    } catch {
      return null;
    }
  }
  return null;
}

export function classifyScan(raw: string, opts: ClassifyOptions = {}): ScanResult {
  const text = toHalfWidth(raw).trim();
  if (!text) return { kind: 'invalid', reason: 'empty', raw };
  const studentNo = opts.studentNoPattern ?? DEFAULT_STUDENT_NO;
  const fromQr = fromQrPayload(text, opts);
  if (fromQr !== null) {
    const v = toHalfWidth(fromQr).trim();
    return studentNo.test(v) ? { kind: 'studentNo', value: v } : { kind: 'invalid', reason: 'unrecognised', raw };
  }
  const upper = text.toUpperCase();
  if (/^\d{17}[\dX]$/.test(upper)) {
    return isValidIdCard(upper) ? { kind: 'idCard', value: upper } : { kind: 'invalid', reason: 'id_checksum', raw };
  }
  if (/^\d{5}[\dX]$/.test(upper) && !studentNo.test(upper)) return { kind: 'idLast6', value: upper };
  if (studentNo.test(text)) return { kind: 'studentNo', value: text };
  if (/^[\p{Script=Han}·\p{L}]{1,20}$/u.test(text) && /\p{Script=Han}/u.test(text)) return { kind: 'name', value: text };
  return { kind: 'invalid', reason: 'unrecognised', raw };
}
