import { ApiError } from '../../src-shared/contract/counter-api';
import type { UpdateInstallDto, UpdateStatusDto } from '../../src-shared/contract/update-api';
import { updateText } from '../../src-shared/i18n/update.zh-CN';
import { readMeta } from '../db/meta';
import type { Replica } from '../db/open';

/** The campus server's update feed for a counter set up with `serverUrl`. */
export function updateFeedUrl(serverUrl: string | null): string | null {
  if (!serverUrl) return null;
  return new URL('updates/', serverUrl.endsWith('/') ? serverUrl : `${serverUrl}/`).toString();
}

/**
 * The update methods as the back end answers them: it knows the feed; updating is the desktop
 * app's (its main process answers update.status and update.install itself). The browser host
 * cannot replace the program, and says so.
 */
export function updateHandlers(replica: Replica) {
  return {
    'update.status': (): UpdateStatusDto => ({ phase: 'unavailable', currentVersion: null, version: null, percent: null, error: null }),
    'update.install': (): UpdateInstallDto => {
      throw new ApiError('refused', updateText.notHere);
    },
    'update.feed': () => ({ url: updateFeedUrl(readMeta(replica.sqlite, 'serverUrl')) }),
  };
}
