import type { Refusal } from '../../src-shared/domain/actions';
import { refusalMessage } from '../../src-shared/i18n/zh-CN';

/**
 * The Chinese reasons stored with ops and shown to the operator who made them. Refusals the
 * shared evaluator produces use its own messages, so counter and server say the same thing.
 */
export const reasons = {
  refusal: (r: Refusal): string => refusalMessage(r),
  unknownStep: (stepId: string) => `本批次没有编号为「${stepId}」的环节`,
  unknownStudent: (studentNo: string) => `未找到学号为 ${studentNo} 的学生`,
  operatorNotOnDevice: (operatorId: string) => `操作员 ${operatorId} 没有在此设备上登录，不能提交操作`,
  sessionUnknown: (operatorId: string) =>
    `此操作所带的登录凭据不是操作员 ${operatorId} 在本柜台的联网登录，此操作未生效；请该操作员重新登录后重新办理`,
  sessionExpired: (operatorId: string) =>
    `操作员 ${operatorId} 的联网登录在办理时已过期，此操作未生效；请重新登录后重新办理`,
  operatorDisabled: (operatorId: string) => `操作员 ${operatorId} 已被管理员停用，此操作未生效；请换一位操作员登录后重新办理`,
  noGrant: (checkpointName: string, stepName: string) =>
    `您没有「${checkpointName}」的办理权限，不能办理「${stepName}」`,
  integrationStep: (stepName: string) => `此接口密钥无权写入环节「${stepName}」`,
  alreadyPassed: (by: string, at: string) => `此环节已由 ${by} 于 ${at} 办理通过，无需重复`,
  alreadyRejected: '此环节已标记为未通过，备注已保留在操作记录中',
  alreadyPending: '此环节已是未办理状态，无需撤销',
  alreadyLifted: '此环节的限制已经调整过',
  notLifted: '此环节的限制没有被调整，无需恢复',
  liftNotAllowed: {
    already_passed: '此环节已通过，不能再调整限制',
    not_gating: '此环节不限制其他环节，无需调整',
    not_applicable: '该学生无需办理此环节，无需调整限制',
  },
  passRevokedMeanwhile: (revokedBy: string, at: string) =>
    `办理时该环节已被 ${revokedBy} 于 ${at} 撤销；撤销优先，本次通过未生效，已提交主管核对`,
  revokeWinsOverPass: (passedBy: string, at: string) =>
    `撤销时不知道 ${passedBy} 于 ${at} 的通过操作；撤销优先，已提交主管核对`,
  unstorable: (problem: string) => `服务器无法保存此操作：${problem}。此操作未生效，请改正后重新办理`,
  prerequisiteRevoked: (missing: string) => `办理时前提环节已不满足（${missing}）；通过已记录，已提交主管核对`,
};
