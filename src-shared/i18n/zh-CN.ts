import type { MissingGroup } from '../domain/gate';
import type { Refusal } from '../domain/actions';
import type { StepStatus } from '../domain/types';

/**
 * Every operator-facing string lives here (zh-CN first). An English table can follow with the
 * same keys; code never builds user text elsewhere.
 */
export const zhCN = {
  appName: '离校办理台',
  status: {
    passed: '已通过',
    rejected: '未通过',
    pending: '未办理',
    na: '无需办理',
    optional: '可办可不办',
  } satisfies Record<StepStatus | 'optional', string>,
  action: { pass: '通过', reject: '未通过', revoke: '撤销' },
  refusal: {
    out_of_scope: '该学生不属于您负责的学院，不能办理',
    auto_step: '此环节由其他系统自动同步，柜台无需办理',
    not_applicable: '该学生无需办理此环节',
    already_passed: '此环节已通过',
    already_rejected: '此环节已标记为未通过',
    nothing_to_revoke: '此环节尚未办理，无需撤销',
    blocked: '无法办理：当前学生没有完成以下步骤',
    reason_required: '请填写原因',
  } satisfies Record<Refusal['code'], string>,
  scan: {
    empty: '没有读到内容',
    id_checksum: '身份证号校验位不正确，请核对',
    unrecognised: '无法识别的内容，请扫描学生证或输入学号、姓名、身份证号',
    notFound: (text: string) => `未找到学生：${text}`,
  },
} as const;

/** "学生工作处离校点: 归还学生证; 宿管中心离校点: 清理宿舍物品" */
export function formatMissing(groups: MissingGroup[]): string {
  return groups.map((g) => `${g.checkpointName}: ${g.steps.map((s) => s.name).join('、')}`).join('; ');
}

export function refusalMessage(refusal: Refusal): string {
  if (refusal.code === 'blocked') return `${zhCN.refusal.blocked} ${formatMissing(refusal.missing)}`;
  return zhCN.refusal[refusal.code];
}
