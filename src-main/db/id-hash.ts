import { createHmac, randomBytes } from 'node:crypto';

/** 32 random bytes, hex: the same shape the server uses, so a snapshot's key works here too. */
export function newIdHashKey(): string {
  return randomBytes(32).toString('hex');
}

/** The keyed hash that makes a 身份证号 searchable by exact match without storing it. */
export function hashIdCard(key: string, idCard: string): string {
  return createHmac('sha256', Buffer.from(key, 'hex')).update(idCard.toUpperCase()).digest('hex');
}
