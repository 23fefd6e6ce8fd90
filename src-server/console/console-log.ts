import type { Executor } from '../db/database';
import { consoleLog } from '../db/schema';

/** 操作日志: written in the transaction of the change it describes; a roster import's line follows its commit, since storeRoster owns that transaction. */
export async function recordConsoleChange(exec: Executor, by: string, action: string, detail: string): Promise<void> {
  await exec.insert(consoleLog).values({ by, action, detail });
}
