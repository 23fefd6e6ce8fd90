import type { Db } from '../db/database';
import type { SignInLimits } from '../auth/sign-in-limits';
import type { BatchCache } from '../sync/batch-cache';
import type { ChangeNotifier } from '../sync/change-notifier';
import type { HistoryGuard } from '../sync/history';

/** What every route needs from the server around it. */
export interface ServerContext {
  db: Db;
  batches: BatchCache;
  notifier: ChangeNotifier;
  /** What this process has seen of the database's history; renews it when the database was rewound. */
  history: HistoryGuard;
  /** Wrong sign-ins slow the next attempts, per address, per 工号 at an address, per 工号 (in the database). */
  signInLimits: SignInLimits;
}
