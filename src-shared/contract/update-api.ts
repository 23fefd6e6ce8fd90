import { z } from 'zod';

/**
 * The counter's own updates (electron-updater, from the campus server's /updates/ feed), as the
 * header shows them. Only the desktop app updates itself; the browser host says 'unavailable'.
 */
export const UPDATE_PHASES = ['unavailable', 'idle', 'checking', 'downloading', 'ready', 'failed'] as const;
export type UpdatePhase = (typeof UPDATE_PHASES)[number];

export const updateStatusSchema = z.object({
  phase: z.enum(UPDATE_PHASES),
  /** The running version; null where nothing updates (browser host). */
  currentVersion: z.string().nullable(),
  /** The version being downloaded, or downloaded and waiting for 重启更新. */
  version: z.string().nullable(),
  /** Download progress, 0–100, while downloading. */
  percent: z.number().nullable(),
  /** Why the last check or download failed (the counter keeps working and tries again later). */
  error: z.string().nullable(),
});
export type UpdateStatusDto = z.infer<typeof updateStatusSchema>;

/** 重启更新: installed now, or refused with the reason (an operation still running). */
export const updateInstallSchema = z.object({ installing: z.boolean(), reason: z.string().nullable() });
export type UpdateInstallDto = z.infer<typeof updateInstallSchema>;

/** Where this counter's updates come from: its server's /updates/, or null for a stand-alone replica. */
export const updateFeedSchema = z.object({ url: z.string().nullable() });
