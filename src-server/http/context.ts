import type { Db } from '../db/database';
import type { AttemptLimiter } from '../../src-shared/auth/attempt-limiter';
import type { BatchCache } from '../sync/batch-cache';
import type { ChangeNotifier } from '../sync/change-notifier';

/** What every route needs from the server around it. */
export interface ServerContext {
  db: Db;
  batches: BatchCache;
  notifier: ChangeNotifier;
  /** Every login attempt counts per client address; failures count per 工号. */
  loginLimits: { perIp: AttemptLimiter; perOperator: AttemptLimiter };
}
