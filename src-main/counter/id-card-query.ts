import { ApiError } from '../../src-shared/contract/counter-api';
import { isValidIdCard, toHalfWidth } from '../../src-shared/scan/classify';
import { storedIdHash } from '../db/id-hash';
import type { Replica } from '../db/open';
import { messages } from './messages';

/** An SQL condition on students `s` that finds a typed 身份证号: the last six, or the full number. */
export interface IdCardMatch {
  text: string;
  params: string[];
}

/** The key behind students.id_hash, from the store beside the replica (never from the replica). */
function idHashKeyOf(replica: Replica): string {
  const key = replica.idKeys.read(replica.path);
  if (!key) throw new ApiError('refused', messages.idKeyMissing);
  return key;
}

/**
 * A full number matches its last six and the hash digit computed with the key: an exact search,
 * save the rare student who shares both (shown together, for the operator to tell apart by name).
 */
export function fullIdCardMatch(replica: Replica, idCard: string): IdCardMatch {
  return { text: 's.id_last6 = ? and s.id_hash = ?', params: [idCard.slice(-6), storedIdHash(idHashKeyOf(replica), idCard)] };
}

export function idCardMatch(replica: Replica, text: string): IdCardMatch {
  const id = toHalfWidth(text).trim().toUpperCase();
  if (/^\d{5}[\dX]$/.test(id)) return { text: 's.id_last6 = ?', params: [id] };
  if (!/^\d{17}[\dX]$/.test(id)) throw new ApiError('bad_input', messages.idCardQuery);
  if (!isValidIdCard(id)) throw new ApiError('bad_input', messages.idCardChecksum);
  return fullIdCardMatch(replica, id);
}
