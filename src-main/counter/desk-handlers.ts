import { ApiError, type SignInResult } from '../../src-shared/contract/counter-api';
import type { DeskSettings, DeskStateDto, LockStateDto } from '../../src-shared/contract/desk-api';
import type { SetupProbeDto } from '../../src-shared/contract/sync-api';
import type { AttemptLimiter } from '../../src-shared/auth/attempt-limiter';
import type { Replica } from '../db/open';
import type { DeviceTokenStore } from '../sync/device-token-store';
import { deskServer, moveServer, type MoveServerInput } from '../sync/server-move';
import { SyncError } from '../sync/server-http';
import { ServerAddressError } from '../sync/server-trust';
import { probeServer } from '../sync/setup-trust';
import type { SyncClient } from '../sync/sync-client';
import { readDeskSettings, writeDeskSettings } from './desk-settings';
import { clearLock, lockCounter, lockState, signOut, unlockCounter } from './session-lock';

function deskState(replica: Replica): DeskStateDto {
  return { settings: readDeskSettings(replica.sqlite), server: deskServer(replica) };
}

/** 柜台设置, the server address move, 锁屏 and 退出登录; `signIn` is 换人登录, which also opens a locked counter. */
export function deskHandlers(
  replica: Replica,
  sync: SyncClient | null,
  now: () => Date,
  tokens: DeviceTokenStore,
  offlineAttempts: AttemptLimiter,
  signIn: (input: { operatorNo: string; password: string }) => Promise<SignInResult>,
) {
  return {
    'desk.settings': (): DeskStateDto => deskState(replica),
    'desk.saveSettings': (settings: DeskSettings): DeskStateDto => {
      writeDeskSettings(replica.sqlite, settings);
      return deskState(replica);
    },
    'desk.probeServer': async ({ serverUrl, caFile }: { serverUrl: string; caFile?: string }): Promise<SetupProbeDto> => {
      try {
        return await probeServer(serverUrl, caFile);
      } catch (e) {
        if (e instanceof ServerAddressError) throw new ApiError('bad_input', e.message);
        if (e instanceof SyncError) throw new ApiError('refused', e.message);
        throw e;
      }
    },
    'desk.moveServer': async (input: MoveServerInput): Promise<DeskStateDto> => {
      await moveServer(replica, sync, tokens, input);
      return deskState(replica);
    },
    'session.lockState': (): LockStateDto => lockState(replica),
    'session.lock': (): LockStateDto => lockCounter(replica, now()),
    'session.unlock': ({ password }: { password: string }): Promise<LockStateDto> => unlockCounter(replica, password, offlineAttempts),
    'session.signOut': (): LockStateDto => signOut(replica, now()),
    'session.signIn': async (input: { operatorNo: string; password: string }): Promise<SignInResult> => {
      const result = await signIn(input);
      clearLock(replica);
      return result;
    },
  };
}
