import { createHmac, randomBytes } from 'node:crypto';
import { idHashPrefix, maskIdCard } from '../../src-shared/scan/classify';

/** 32 random bytes, hex: the same shape the server uses, so a snapshot's key works here too. */
export function newIdHashKey(): string {
  return randomBytes(32).toString('hex');
}

/** What students.id_hash holds for a 身份证号: the first hex digit of its HMAC (idHashPrefix). */
export function storedIdHash(key: string, idCard: string): string {
  return idHashPrefix(createHmac('sha256', Buffer.from(key, 'hex')).update(idCard.toUpperCase()).digest('hex'));
}

/**
 * A server row's 身份证号 fields as this replica stores them: a server from before migration 8
 * still sends the full digest and the region code, and the replica keeps no more than its own rows.
 */
export function replicaIdFields(row: { idHash: string; idCardMasked: string }): { idHash: string; idMasked: string } {
  return { idHash: idHashPrefix(row.idHash), idMasked: maskIdCard(row.idCardMasked) };
}
