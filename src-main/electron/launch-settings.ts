import { join } from 'node:path';

/** The renderer's origin in the desktop app: a privileged custom scheme, never file://. */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://counter`;

/**
 * Variables only a developer sets: the dev server's URL and a better-sqlite3 build of one's own.
 * A packaged app ignores them, so nobody can point an installed counter at other code.
 */
export const DEV_ONLY_ENV = ['ELECTRON_RENDERER_URL', 'LIXIAO_SQLITE_BINDING'] as const;

export interface LaunchInput {
  isPackaged: boolean;
  env: Record<string, string | undefined>;
  argv: string[];
  userData: string;
  /** process.resourcesPath: where app.asar and app.asar.unpacked sit in an installed app. */
  resourcesPath: string;
}

export interface LaunchSettings {
  /** Where the renderer is loaded from: the dev server, or the app:// scheme over out/renderer. */
  rendererUrl: string;
  /** The origin navigation, IPC and permission checks accept. */
  appOrigin: string;
  dbPath: string;
  nativeBinding: string | undefined;
}

export function launchSettings({ isPackaged, env, argv, userData, resourcesPath }: LaunchInput): LaunchSettings {
  const devServer = isPackaged ? undefined : env['ELECTRON_RENDERER_URL'];
  const fromArg = argv.find((a) => a.startsWith('--db='));
  return {
    rendererUrl: devServer ?? `${APP_ORIGIN}/index.html`,
    appOrigin: devServer ? new URL(devServer).origin : APP_ORIGIN,
    dbPath: fromArg ? fromArg.slice('--db='.length) : (env['LIXIAO_DB'] ?? join(userData, 'counter.db')),
    // electron-builder rebuilt it for Electron's ABI and unpacked it next to app.asar.
    nativeBinding: isPackaged
      ? join(resourcesPath, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')
      : env['LIXIAO_SQLITE_BINDING'] || undefined,
  };
}
