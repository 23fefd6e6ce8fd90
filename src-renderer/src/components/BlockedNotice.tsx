import type { MissingGroupDto } from '../../../src-shared/contract/counter-api';
import { zhCN } from '../../../src-shared/i18n/zh-CN';

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
