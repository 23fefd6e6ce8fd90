import { z } from 'zod';
import { setupProbeInputSchema } from './sync-api';
import { operatorNoField } from './text-rule';

/**
 * 柜台设置: what one desk sets for itself (the scanner, the camera, sounds, the idle lock),
 * stored in that counter's replica, and the move of its server address. Field labels are part
 * of each message, so a refusal names the field in Chinese.
 */

function wholeNumber(label: string, min: number, max: number, unit: string) {
  return z
    .number({ error: `${label}必须是数字` })
    .int({ error: `${label}必须是整数` })
    .min(min, { error: `${label}不能小于 ${min}${unit}` })
    .max(max, { error: `${label}不能大于 ${max}${unit}` });
}

/** One character a scanner may type that the wedge detector takes as part of a code. */
export const SCANNED_CHARACTER = /^[0-9A-Za-z\-_:/.?=&{}",]$/;

/** What a reader may add around a code: characters the scanner detector takes, at most 16. */
function affix(label: string) {
  return z
    .string({ error: `${label}必须是文字` })
    .max(16, { error: `${label}不能超过 16 个字符` })
    .refine((v) => [...v].every((ch) => SCANNED_CHARACTER.test(ch)), { error: `${label}只能含字母、数字和 - _ : / . ? = & { } " , 这些读码器会发送的字符` });
}

export const scannerSettingsSchema = z
  .object({
    /** A gap longer than this ends a burst. */
    maxGapMs: wholeNumber('按键最大间隔', 10, 5000, ' 毫秒'),
    /** The average gap a burst must stay under to count as a scan. */
    maxAverageGapMs: wholeNumber('平均按键间隔', 5, 1000, ' 毫秒'),
    minLength: wholeNumber('最短码长', 1, 64, ' 个字符'),
    /** For readers without an Enter/Tab suffix; 0 = off. */
    idleCommitMs: wholeNumber('无结束键时的等待', 0, 2000, ' 毫秒'),
    repeatWindowMs: wholeNumber('重复读码忽略时间', 0, 10000, ' 毫秒'),
    /** Taken off the front and the end of every scanned code (a reader's own marks). */
    prefix: affix('前缀'),
    suffix: affix('后缀'),
  })
  .strict()
  .refine((s) => s.maxAverageGapMs <= s.maxGapMs, { error: '平均按键间隔不能大于按键最大间隔', path: ['maxAverageGapMs'] });
export type ScannerSettings = z.infer<typeof scannerSettingsSchema>;

export const deskSettingsSchema = z
  .object({
    scanner: scannerSettingsSchema,
    /** The camera's deviceId as the browser names it; null = the first camera found. */
    camera: z.object({ deviceId: z.string().max(500, { error: '摄像头编号过长' }).nullable() }).strict(),
    sounds: z.object({ enabled: z.boolean({ error: '提示音开关必须是“开”或“关”' }), volume: wholeNumber('音量', 0, 100, '') }).strict(),
    /** 锁屏: minutes without a key or a click before the counter locks. */
    lock: z.object({ idleMinutes: wholeNumber('无操作自动锁屏时间', 1, 240, ' 分钟') }).strict(),
  })
  .strict();
export type DeskSettings = z.infer<typeof deskSettingsSchema>;

export const DEFAULT_DESK_SETTINGS: DeskSettings = {
  scanner: { maxGapMs: 100, maxAverageGapMs: 35, minLength: 4, idleCommitMs: 150, repeatWindowMs: 1500, prefix: '', suffix: '' },
  camera: { deviceId: null },
  sounds: { enabled: true, volume: 80 },
  lock: { idleMinutes: 10 },
};

/** The server this counter syncs with, as 柜台设置 shows it; null for a stand-alone replica. */
export const deskServerSchema = z.object({
  url: z.string(),
  check: z.enum(['loopback', 'fingerprint', 'ca']),
  fingerprint: z.string().nullable(),
  /** The server told its identity once; without it a new address cannot be checked. */
  identityKnown: z.boolean(),
});

export const deskStateSchema = z.object({ settings: deskSettingsSchema, server: deskServerSchema.nullable() });
export type DeskStateDto = z.infer<typeof deskStateSchema>;

/** A new address for the same server, with the certificate check (as at setup) and a 管理员's sign-in. */
export const moveServerInputSchema = setupProbeInputSchema.extend({
  pin: z.string().max(200, { error: '证书指纹过长' }).optional(),
  operatorNo: operatorNoField,
  password: z.string().min(1, { error: '请填写管理员密码' }).max(200, { error: '密码过长' }),
});

/** 锁屏 / 退出登录: who may open the counter again. */
export const lockStateSchema = z.object({
  state: z.enum(['open', 'locked', 'signedOut']),
  /** The operator whose session is locked (null when signed out). */
  operator: z.object({ id: z.string(), name: z.string() }).nullable(),
});
export type LockStateDto = z.infer<typeof lockStateSchema>;

export const unlockInputSchema = z.object({ password: z.string().min(1, { error: '请填写密码' }).max(200, { error: '密码过长' }) });
