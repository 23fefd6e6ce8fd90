import type { LeaderScope } from '../../src-shared/domain/console-roles';
import { consoleText as t } from '../../src-shared/i18n/console.zh-CN';

export function scopeLabel(scope: LeaderScope): string {
  if (scope.kind === 'school') return t.scope.school;
  if (scope.kind === 'colleges') return t.scope.colleges(scope.colleges);
  return t.scope.classes(scope.classes.map((c) => `${c.college}${c.className}`));
}
