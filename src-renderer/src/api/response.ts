import { API_ERROR_CODES, ApiError, type ApiErrorCode, type ApiResponse } from '../../../src-shared/contract/counter-api';
import { zhCN } from '../../../src-shared/i18n/zh-CN';

function isErrorCode(code: unknown): code is ApiErrorCode {
  return typeof code === 'string' && (API_ERROR_CODES as readonly string[]).includes(code);
}

/** Both transports end here: a value, or an ApiError carrying the back end's Chinese message. */
export function unwrap<T>(response: ApiResponse<unknown> | null | undefined): T {
  if (!response || typeof response !== 'object' || !('ok' in response)) {
    throw new ApiError('internal', zhCN.ui.errors.badReply);
  }
  if (response.ok) return response.value as T;
  const code = isErrorCode(response.error?.code) ? response.error.code : 'internal';
  throw new ApiError(code, response.error?.message || zhCN.ui.errors.unknown);
}
