import { ApiError } from '../../../src-shared/contract/counter-api';
import { zhCN } from '../../../src-shared/i18n/zh-CN';

/** The operator always gets a Chinese sentence, never a stack trace. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return zhCN.ui.errors.unknown;
}
