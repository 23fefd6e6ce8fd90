import { demoSession, loadDemoBatch } from '../src-main/demo/demo-replica';
import { eq } from 'drizzle-orm';
import { addOperator, grantCheckpoint } from '../src-server/admin/operators';
import { operators } from '../src-server/db/schema';
import { DEMO_PASSWORD } from '../src-server/demo/seed-demo';
import type { RunningServer } from '../src-server/serve';

/** The operator of the stand-alone demo (王老师), added on the server with the same grants, so both demos behave alike. */
export async function ensureDemoOperator(server: RunningServer): Promise<{ operatorNo: string; checkpointId: string }> {
  const session = demoSession(loadDemoBatch());
  const db = server.database.db;
  // Only once: setting the password again on every run would raise its version, and the counters
  // would forget their offline sign-in records at each start.
  const [known] = await db.select({ no: operators.operatorNo }).from(operators).where(eq(operators.operatorNo, session.operator.id));
  if (!known) await addOperator(db, session.operator.id, session.operator.name, DEMO_PASSWORD);
  for (const g of session.grants) await grantCheckpoint(db, session.operator.id, g.checkpointId, g.colleges === 'all' ? [] : g.colleges);
  return { operatorNo: session.operator.id, checkpointId: session.checkpointId ?? 'student-affairs' };
}
