import type { MissingGroupDto } from '../../../src-shared/contract/counter-api';
import type { Standing } from '../../../src-shared/domain/standing';
import { standingText, zhCN } from '../../../src-shared/i18n/zh-CN';

const { separator, list } = zhCN.ui.format;

/** The manual's message, one line per checkpoint with what is still missing there. */
export function BlockedNotice({ missing }: { missing: MissingGroupDto[] }) {
  return (
    <div className="notice notice-blocked" role="alert" data-testid="blocked-notice">
      <div className="notice-title">{zhCN.refusal.blocked}</div>
      <ul className="notice-list">
        {missing.map((group) => (
          <li key={group.checkpointId}>
            <span className="notice-checkpoint">
              {group.checkpointName}
              {separator}
            </span>
            {list(group.steps.map((s) => s.name))}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function OutOfScopeNotice() {
  return (
    <div className="notice notice-warning" role="alert">
      <div className="notice-title">{zhCN.refusal.out_of_scope}</div>
    </div>
  );
}

/** A student who is no longer this counter's: where they went, and that nothing is done here. */
export function DepartedNotice({ standing }: { standing: Exclude<Standing, { kind: 'own' }> }) {
  const hint = standing.kind === 'moved' ? zhCN.ui.student.movedHint : zhCN.ui.student.withdrawnHint;
  return (
    <div className="notice notice-warning" role="alert" data-testid="departed-notice">
      <div className="notice-title">{standingText(standing)}</div>
      <div>{hint}</div>
    </div>
  );
}
