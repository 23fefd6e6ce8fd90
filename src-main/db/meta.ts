import type Database from 'better-sqlite3';

/**
 * serverUrl: where the sync client talks to the central server; as whom (the device token) is
 * kept outside the replica (src-main/sync/device-token-store.ts). deviceToken: only in replicas
 * downloaded before that, read once to move it out; idHashKey likewise, the key behind the
 * 身份证号 hashes, kept in src-main/db/id-key-store.ts since replica version 6 (idScrubPending:
 * moved, the file and its pre-migration copy not yet rewritten). knownOperators: who signed in here before,
 * for offline sign-in. resnapshotPending: a widened roster whose snapshot is not merged yet.
 * serverPosition: the server's history, seq and mark as last pulled; restorePending: the server
 * was restored and this replica's server rows are not rebuilt yet (src-main/db/server-history.ts).
 * serverTrust: how the server's HTTPS certificate is checked (src-main/sync/server-trust.ts).
 * rosterScope: the roster scope of the snapshot this replica holds (src-main/db/roster-scope-store.ts).
 * serverIdentity: the id the server tells (src-main/sync/server-move.ts), so a new address is
 * accepted only for the same server. deskSettings: 柜台设置 (src-main/counter/desk-settings.ts).
 * lock: 锁屏 or 退出登录 in force (src-main/counter/session-lock.ts).
 */
export type MetaKey =
  | 'deviceId'
  | 'session'
  | 'idHashKey'
  | 'serverUrl'
  | 'deviceToken'
  | 'knownOperators'
  | 'resnapshotPending'
  | 'serverPosition'
  | 'restorePending'
  | 'serverTrust'
  | 'idScrubPending'
  | 'rosterScope'
  | 'serverIdentity'
  | 'deskSettings'
  | 'lock';

export function readMeta(sqlite: Database.Database, key: MetaKey): string | null {
  const row = sqlite.prepare('select value from meta where key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

export function writeMeta(sqlite: Database.Database, key: MetaKey, value: string): void {
  sqlite.prepare('insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value').run(key, value);
}

export function deleteMeta(sqlite: Database.Database, key: MetaKey): void {
  sqlite.prepare('delete from meta where key = ?').run(key);
}
