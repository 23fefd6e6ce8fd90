import { createHash, createHmac, randomBytes } from 'node:crypto';
import { idHashPrefix } from '../../src-shared/scan/classify';

/** A bearer secret: 32 random bytes, prefixed so a leaked one is recognisable ("lxd_", "lxk_"). */
export function newToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** Tokens are random and long, so a fast hash suffices; only the hash is stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newIdHashKey(): string {
  return randomBytes(32).toString('hex');
}

/** What a student row keeps of the keyed hash of the 身份证号 (idHashPrefix: too little to confirm a guess). */
export function storedIdHash(key: string, idCard: string): string {
  return idHashPrefix(createHmac('sha256', Buffer.from(key, 'hex')).update(idCard.toUpperCase()).digest('hex'));
}
