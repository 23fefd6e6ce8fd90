import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { RosterStudent } from '../../src-shared/domain/types';
import { idCardCheckDigit } from '../../src-shared/scan/classify';

/**
 * What someone who copied a replica file does to get the 身份证号 back: read every student's
 * stored fields, list the numbers that fit them (region × birth month, the last 6 as stored,
 * the check digit), and keep the ones the stored hash confirms, with every 64-hex-digit string
 * found in the file's bytes tried as the key. A number counts as rebuilt when exactly one
 * candidate is left and it is the right one.
 */

export interface StoredId {
  studentNo: string;
  masked: string;
  last6: string;
  hash: string;
}

export interface AttackerKnowledge {
  /** Region codes to try when the mask hides the region (a generous attacker knows the ones in use). */
  regions: string[];
  /** Birth years to try. */
  years: number[];
}

export function readStoredIds(path: string): StoredId[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('select student_no as studentNo, id_masked as masked, id_last6 as last6, id_hash as hash from students order by student_no').all() as StoredId[];
  } finally {
    db.close();
  }
}

/** Every run of 64 hex digits in the file and its WAL: wherever a key was kept, it is among these. */
export function keyCandidates(path: string): string[] {
  const found = new Set<string>();
  for (const file of [path, `${path}-wal`]) {
    if (!existsSync(file)) continue;
    for (const m of readFileSync(file).toString('latin1').matchAll(/[0-9a-f]{64}/g)) found.add(m[0]);
  }
  return [...found];
}

/** The numbers that fit what is stored: the region from the mask when it shows one, the check digit checked. */
export function candidatesFor(row: StoredId, knowledge: AttackerKnowledge): string[] {
  const shownRegion = /^\d{6}/.exec(row.masked)?.[0];
  const regions = shownRegion ? [shownRegion] : knowledge.regions;
  const day = Number(row.last6.slice(0, 2));
  const out: string[] = [];
  for (const region of regions) {
    for (const year of knowledge.years) {
      for (let month = 1; month <= 12; month++) {
        if (day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) continue;
        const first17 = `${region}${year}${String(month).padStart(2, '0')}${row.last6.slice(0, 5)}`;
        if (idCardCheckDigit(first17) === row.last6[5]) out.push(first17 + row.last6[5]);
      }
    }
  }
  return out;
}

function confirms(key: string, candidate: string, stored: string): boolean {
  return createHmac('sha256', Buffer.from(key, 'hex')).update(candidate).digest('hex').startsWith(stored);
}

export interface AttackResult {
  /** 学号 → the number, for the students whose number was singled out. */
  rebuilt: Map<string, string>;
  /** The key found in the file, if any confirmed the first students. */
  key: string | null;
  /** How many numbers were left for each student after everything the attacker could check. */
  remaining: number[];
}

/**
 * `keys`: strings found in the file, each tried; one is taken as the key when every probed
 * student keeps exactly one candidate under it. `givenKey`: the attacker also holds the real key
 * (a stolen keyring), used as it is.
 */
export function rebuildIds(rows: StoredId[], knowledge: AttackerKnowledge, keys: string[], givenKey?: string): AttackResult {
  const probe = rows.slice(0, 3);
  const key =
    givenKey ??
    keys.find((k) => probe.length > 0 && probe.every((row) => candidatesFor(row, knowledge).filter((c) => confirms(k, c, row.hash)).length === 1)) ??
    null;
  const rebuilt = new Map<string, string>();
  const remaining: number[] = [];
  for (const row of rows) {
    const all = candidatesFor(row, knowledge);
    const left = key ? all.filter((c) => confirms(key, c, row.hash)) : all;
    remaining.push(left.length);
    if (left.length === 1) rebuilt.set(row.studentNo, left[0]!);
  }
  return { rebuilt, key, remaining };
}

/** The mask the release before replica version 7 stored: region code and last 4. */
export const previousMask = (id: string) => `${id.slice(0, 6)}********${id.slice(-4)}`;

/**
 * Turns a closed replica of this release into one as the previous release wrote it: the key in
 * meta (not beside the file), the region code in the mask, the whole HMAC digest and its index,
 * no column of a later migration, the schema `version`. Every other table stays as a counter has it. Returns the key.
 */
export function rewriteAsPreviousRelease(path: string, roster: RosterStudent[], version: number): string {
  const key = readFileSync(`${path}.idkey`, 'utf8');
  rmSync(`${path}.idkey`);
  const db = new Database(path);
  try {
    db.transaction(() => {
      db.prepare("insert into meta (key, value) values ('idHashKey', ?)").run(key);
      const update = db.prepare('update students set id_hash = ?, id_masked = ? where student_no = ?');
      for (const s of roster) update.run(createHmac('sha256', Buffer.from(key, 'hex')).update(s.idCard).digest('hex'), previousMask(s.idCard), s.studentNo);
      db.exec('create index students_id_hash on students (id_hash)');
      // What later migrations added goes too, or reopening would apply them twice (replica migration 7, operator sessions).
      db.exec('alter table outbox drop column session');
      db.pragma(`user_version = ${version}`);
    })();
  } finally {
    db.close();
  }
  return key;
}
