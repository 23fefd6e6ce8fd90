import type { Db } from '../db/database';
import type { SignInLimits } from '../auth/sign-in-limits';
import type { BatchCache } from '../sync/batch-cache';
import type { ChangeNotifier } from '../sync/change-notifier';

/** What every route needs from the server around it. */
export interface ServerContext {
  db: Db;
  batches: BatchCache;
  notifier: ChangeNotifier;
  /** Wrong sign-ins slow the next attempts, per address, per 工号 at an address, per 工号 (in the database). */
  signInLimits: SignInLimits;
}
