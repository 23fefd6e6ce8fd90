import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/database';
import { authenticateDevice, type AuthenticatedDevice } from '../auth/device-auth';
import { HttpError } from './http-error';

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

/** The device behind the request's bearer token; a 401/403 with the reason otherwise. */
export async function requireDevice(db: Db, request: FastifyRequest): Promise<AuthenticatedDevice> {
  const token = bearerToken(request);
  if (!token) throw new HttpError(401, 'unauthorized', '缺少设备令牌（Authorization: Bearer …），请先登记本柜台');
  const device = await authenticateDevice(db, token);
  if (device === 'unauthorized') throw new HttpError(401, 'unauthorized', '设备令牌无效，请重新登记本柜台');
  if (device === 'device_revoked') throw new HttpError(403, 'device_revoked', '此柜台已被管理员停用，请联系管理员');
  return device;
}
