import { basename, dirname, join } from 'node:path';
import { RESCUE_FORMAT, type RescueFile } from '../../src-shared/contract/rescue';
import type { RescueWrittenDto } from '../../src-shared/contract/sync-api';
import { syncText } from '../../src-shared/i18n/sync.zh-CN';
import { readRescuableOps } from '../db/rescuable-ops';
import { makePrivateDir, writePrivateFile } from '../files/private-files';

/** Next to the replica, so the operator finds it in the counter's data folder; copied from there to a USB stick. */
export function rescueFolder(replicaPath: string): string {
  return join(dirname(replicaPath), 'rescue');
}

/** Why no rescue file was written; the message is for the operator. */
export class NoRescueFile extends Error {
  constructor(
    readonly reason: 'nothing_unsent' | 'no_device',
    message: string,
  ) {
    super(message);
    this.name = 'NoRescueFile';
  }
}

/** Milliseconds included: two files written in one second must not replace each other. */
const stamp = (at: Date) => at.toISOString().replace(/[-:.]/g, '');

/**
 * Writes every unacknowledged op of the replica at `replicaPath` to a new rescue file (user-only)
 * and says where. Read through its own read-only connection, so the same code serves the
 * operator's action on a sound replica and the rescue of a damaged one.
 */
export async function writeRescueFile(replicaPath: string, now: Date): Promise<RescueWrittenDto> {
  const read = readRescuableOps(replicaPath);
  if (read.ops.length === 0 && read.complete) throw new NoRescueFile('nothing_unsent', syncText.rescue.nothingUnsent);
  if (!read.deviceId) throw new NoRescueFile('no_device', syncText.rescue.noDevice);
  const rescue: RescueFile = {
    format: RESCUE_FORMAT,
    deviceId: read.deviceId,
    serverUrl: read.serverUrl,
    writtenAt: now.toISOString(),
    replicaPath,
    complete: read.complete,
    ops: read.ops,
  };
  const folder = rescueFolder(replicaPath);
  makePrivateDir(folder);
  const device = read.deviceId.replace(/[^\w.-]/g, '_');
  const path = join(folder, `${basename(replicaPath)}.${device}.${stamp(now)}.rescue.json`);
  await writePrivateFile(path, Buffer.from(JSON.stringify(rescue), 'utf8'));
  return { path, ops: read.ops.length, complete: read.complete };
}
