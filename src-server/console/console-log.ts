import { desc } from 'drizzle-orm';
import type { Executor } from '../db/database';
import { consoleLog } from '../db/schema';

/** 操作日志: written in the same transaction as the change it describes. */
export async function recordConsoleChange(exec: Executor, by: string, action: string, detail: string): Promise<void> {
  await exec.insert(consoleLog).values({ by, action, detail });
}

export async function recentConsoleChanges(exec: Executor, limit = 200) {
  return exec.select().from(consoleLog).orderBy(desc(consoleLog.id)).limit(limit);
}
