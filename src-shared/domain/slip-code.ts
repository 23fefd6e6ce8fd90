/**
 * The 离校单's check code and QR payload: one rule for the counter (which prints and verifies
 * slips from its replica) and the server (which hands students their slip as a PDF). The code
 * is an HMAC of the batch and 学号 under a key derived from the batch's idHashKey, so a slip made
 * anywhere in one deployment verifies at every counter, and nobody without the key can forge
 * one. Pure: the caller brings HMAC-SHA256 (node:crypto on both sides).
 */

export type HmacSha256 = (key: Uint8Array, message: string) => Uint8Array;

const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const CODE_LENGTH = 8;

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** 8 characters of 32 unambiguous symbols: 40 bits, and easy to read aloud or type. */
export function slipVerificationCode(hmac: HmacSha256, idHashKeyHex: string, batchId: string, studentNo: string): string {
  // A key of its own, so a verification code reveals nothing about the 身份证号 hashes.
  const slipKey = hmac(hexBytes(idHashKeyHex), 'lixiao-slip-v1');
  const mac = hmac(slipKey, `${batchId}\n${studentNo}`);
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[(mac[i] ?? 0) % CODE_ALPHABET.length];
  return code;
}

/** JSON whose `studentNo` the counter's scanner already reads, so the slip also opens the student. */
export function slipPayload(batchId: string, studentNo: string, code: string): string {
  return JSON.stringify({ studentNo, batch: batchId, v: code });
}

export function parseSlipPayload(text: string): { studentNo: string; batch: string; v: string } | null {
  try {
    const value = JSON.parse(text.trim()) as Record<string, unknown>;
    const { studentNo, batch, v } = value;
    if (typeof studentNo === 'string' && typeof batch === 'string' && typeof v === 'string') return { studentNo, batch, v };
  } catch {
    return null;
  }
  return null;
}
