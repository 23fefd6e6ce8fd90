import type { Db } from '../db/database';
import type { AttemptLimiter } from '../../src-shared/auth/attempt-limiter';
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
  /** Every login attempt counts per client address; failures count per 工号. */
  loginLimits: { perIp: AttemptLimiter; perOperator: AttemptLimiter };
}
