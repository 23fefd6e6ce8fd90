import { ApiError } from '../../src-shared/contract/counter-api';
import { isValidIdCard, toHalfWidth } from '../../src-shared/scan/classify';
import { hashIdCard } from '../db/id-hash';
import { readMeta } from '../db/meta';
import type { Replica } from '../db/open';
import { messages } from './messages';

/** How a typed 身份证号 is matched: the full number by its keyed hash, or the last six digits. */
export type IdCardMatch = { column: 'id_hash' | 'id_last6'; value: string };

export function idHashOf(replica: Replica, idCard: string): string {
  const key = readMeta(replica.sqlite, 'idHashKey');
  if (!key) throw new ApiError('internal', messages.internal('数据库中缺少身份证号密钥'));
  return hashIdCard(key, idCard);
}

export function idCardMatch(replica: Replica, text: string): IdCardMatch {
  const id = toHalfWidth(text).trim().toUpperCase();
  if (/^\d{5}[\dX]$/.test(id)) return { column: 'id_last6', value: id };
  if (!/^\d{17}[\dX]$/.test(id)) throw new ApiError('bad_input', messages.idCardQuery);
  if (!isValidIdCard(id)) throw new ApiError('bad_input', messages.idCardChecksum);
  return { column: 'id_hash', value: idHashOf(replica, id) };
}
