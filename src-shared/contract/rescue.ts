import { z } from 'zod';
import { opSchema } from './ops';
import { opResultSchema } from './sync';

/**
 * A rescue file: the ops a counter has not had acknowledged, written out so that they outlive
 * its replica (a dying disk, a damaged file). Another counter or the admin CLI uploads it
 * through the server's push path, which stores every op once however often it is uploaded.
 */
export const RESCUE_FORMAT = 'lixiao-rescue/1';

/** The largest rescue file a counter uploads: 60,000 ops with long notes, as JSON. */
export const RESCUE_MAX_OPS = 60_000;

export const rescueFileSchema = z
  .object({
    format: z.literal(RESCUE_FORMAT, { error: '不是离校办理台的救援文件' }),
    /** The counter whose ops these are. */
    deviceId: z.string().min(1),
    serverUrl: z.string().nullable(),
    writtenAt: z.iso.datetime({ offset: true }),
    /** The replica the ops were read from, as a path on that counter (for the record). */
    replicaPath: z.string(),
    /** False when the replica was damaged and some of its rows could not be read. */
    complete: z.boolean(),
    /** Unacknowledged ops in deviceSeq order. */
    ops: z.array(opSchema).max(RESCUE_MAX_OPS, { error: `救援文件最多包含 ${RESCUE_MAX_OPS} 个操作` }),
  })
  .strict();
export type RescueFile = z.infer<typeof rescueFileSchema>;

/** What an upload of a rescue file did, op by op and in sum. */
export const rescueUploadSchema = z.object({
  deviceId: z.string(),
  deviceName: z.string(),
  /** Ops stored by this upload (new to the server). */
  stored: z.number().int(),
  /** Ops the server had already (an earlier upload, or the counter itself). */
  duplicates: z.number().int(),
  rejected: z.number().int(),
  conflicts: z.number().int(),
  /**
   * The first deviceSeq the server still lacks and this file does not hold (rows of a damaged
   * replica that could not be read): the ops after it wait for it and are not stored.
   */
  missingSeq: z.number().int().nullable(),
  /** Ops not stored because of missingSeq. */
  waiting: z.number().int(),
  results: z.array(opResultSchema),
});
export type RescueUpload = z.infer<typeof rescueUploadSchema>;

/** A file that is not a rescue file this build can read; the message says which and why. */
export class UnreadableRescueFile extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableRescueFile';
  }
}

const zodChinese = z.locales.zhCN().localeError;
const ISSUES_SHOWN = 5;

/** The rescue file in a file's text; one reader for the admin CLI and the counter that uploads it. */
export function parseRescueFile(text: string): RescueFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UnreadableRescueFile('该文件不是救援文件（不是 JSON 格式），可能选错了文件，或文件在拷贝时损坏');
  }
  const result = rescueFileSchema.safeParse(json, { error: zodChinese });
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, ISSUES_SHOWN).map((i) => `${i.path.join('.') || '文件'}：${i.message}`);
  throw new UnreadableRescueFile(`救援文件内容有误，未上传任何操作：${issues.join('；')}`);
}
