import { readFile } from 'node:fs/promises';
import { parseRescueFile, UnreadableRescueFile, type RescueUpload } from '../../src-shared/contract/rescue';
import { syncText } from '../../src-shared/i18n/sync.zh-CN';
import { PushRefused } from '../apply/push-ops';
import { RescueRefused, uploadRescue } from '../apply/rescue-upload';
import type { Db } from '../db/database';
import { BatchCache } from '../sync/batch-cache';
import { AdminError } from './admin-error';

type Print = (line: string) => void;

/** `import-rescue FILE`: the counter's rescue file through the same push path as the counter's own pushes. */
export async function importRescueFile(db: Db, path: string, print: Print): Promise<RescueUpload> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new AdminError(`无法读取救援文件 ${path}（${(e as NodeJS.ErrnoException).code ?? (e as Error).message}）`);
  }
  try {
    const upload = await uploadRescue(db, new BatchCache(), parseRescueFile(text), { kind: 'admin' });
    for (const line of syncText.rescue.uploaded(upload)) print(line);
    return upload;
  } catch (e) {
    if (e instanceof UnreadableRescueFile || e instanceof RescueRefused || e instanceof PushRefused) throw new AdminError(`${path}：${e.message}`);
    throw e;
  }
}
