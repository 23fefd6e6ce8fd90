import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { BatchIndex } from '../../src-shared/domain/batch';
import { grantSchema, operatorSessionSchema, type OperatorSession } from '../../src-shared/contract/sync';
import type { Grant } from '../../src-shared/domain/actions';
import { readMeta, writeMeta } from './meta';
import { ReplicaError } from './replica-error';

/** Who works at this counter and which checkpoints they hold; kept in meta as JSON. */
export const replicaSessionSchema = z.object({
  deviceId: z.string().trim().min(1, { error: '缺少柜台编号' }),
  operator: z.object({
    id: z.string().trim().min(1, { error: '缺少操作员编号' }),
    name: z.string().trim().min(1, { error: '缺少操作员姓名' }),
  }),
  grants: z.array(grantSchema).min(1, { error: '操作员没有任何离校点权限' }),
  /** The checkpoint the counter works for now; defaults to the first grant. */
  checkpointId: z.string().optional(),
  /** The server's session of the operator's online sign-in; null after an offline one (or from an older build). */
  serverSession: operatorSessionSchema.nullable().default(null),
});
export type ReplicaSessionInput = z.input<typeof replicaSessionSchema>;

export interface ReplicaSession {
  deviceId: string;
  operator: { id: string; name: string };
  grants: Grant[];
  checkpointId: string;
  serverSession: OperatorSession | null;
}

/**
 * The token an op made at `at` carries: the operator's online session until it expires; after
 * that, and under an offline sign-in, none (the server then checks the operator as they stand).
 */
export function sessionTokenAt(session: ReplicaSession, at: string): string | null {
  const server = session.serverSession;
  return server && Date.parse(at) <= Date.parse(server.expiresAt) ? server.token : null;
}

/** Checks a session against the batch: every granted checkpoint exists, the current one is granted. */
export function validateSession(batch: BatchIndex, input: unknown): ReplicaSession {
  const parsed = replicaSessionSchema.safeParse(input);
  if (!parsed.success) throw new ReplicaError(`会话信息有误：${parsed.error.issues.map((i) => i.message).join('；')}`);
  const { deviceId, operator, grants, serverSession } = parsed.data;
  const unknown = grants.filter((g) => !batch.hasCheckpoint(g.checkpointId)).map((g) => g.checkpointId);
  if (unknown.length > 0) throw new ReplicaError(`会话信息有误：离校批次中没有这些离校点：${unknown.join('、')}`);
  const checkpointId = parsed.data.checkpointId ?? (grants[0] as Grant).checkpointId;
  if (!grants.some((g) => g.checkpointId === checkpointId)) {
    throw new ReplicaError(`会话信息有误：操作员没有离校点 "${checkpointId}" 的权限`);
  }
  return { deviceId, operator, grants, checkpointId, serverSession };
}

export function readSession(sqlite: Database.Database, batch: BatchIndex): ReplicaSession {
  const deviceId = readMeta(sqlite, 'deviceId');
  const stored = readMeta(sqlite, 'session');
  if (!deviceId || !stored) throw new ReplicaError('数据库中没有登录会话，请重新登录');
  let json: unknown;
  try {
    json = JSON.parse(stored);
  } catch {
    throw new ReplicaError('数据库中的登录会话已损坏，请重新登录');
  }
  return validateSession(batch, { ...(json as object), deviceId });
}

export function writeSession(sqlite: Database.Database, session: ReplicaSession): void {
  const { deviceId, ...rest } = session;
  writeMeta(sqlite, 'deviceId', deviceId);
  writeMeta(sqlite, 'session', JSON.stringify(rest));
}
