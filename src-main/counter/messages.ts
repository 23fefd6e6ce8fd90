import type { WaiverRefusal } from '../../src-shared/domain/actions';

/** Operator-facing text the back end produces itself; refusals of step actions come from src-shared/i18n. */
export const messages = {
  badInput: (detail: string) => `输入有误：${detail}`,
  unknownMethod: (method: string) => `未知的接口：${method}`,
  studentNotFound: (studentNo: string) => `未找到学生：${studentNo}`,
  stepNotFound: (stepId: string) => `离校批次中没有这个环节：${stepId}`,
  checkpointNotGranted: (checkpointId: string) => `您没有离校点“${checkpointId}”的权限`,
  noGrant: (checkpointName: string, stepName: string) => `您没有${checkpointName}的权限，不能办理“${stepName}”`,
  idCardQuery: '身份证号请输入完整的 18 位，或只输入后 6 位',
  idCardChecksum: '身份证号校验位不正确，请核对',
  idKeyMissing: '本柜台的身份证号查询密钥丢失（可能是数据文件被单独复制到了这台电脑），无法按完整身份证号查询；请输入身份证号后 6 位查询，或联系管理员重新登记本柜台',
  internal: (detail: string) => `后台出错：${detail}`,
  waiver: {
    already_passed: '此环节已通过，无需解除限制',
    not_gating: '此环节不是任何环节的前提，无需解除限制',
    not_applicable: '该学生无需办理此环节',
    already_lifted: '此环节的限制已经解除',
    not_lifted: '此环节的限制没有解除，无需恢复',
  } satisfies Record<WaiverRefusal['code'] | 'already_lifted' | 'not_lifted', string>,
} as const;

const FIELD_LABELS: Record<string, string> = {
  studentNo: '学号',
  stepId: '环节',
  action: '操作',
  note: '备注',
  text: '扫描内容',
  checkpointId: '离校点',
  name: '姓名',
  idCard: '身份证号',
  college: '学院',
  className: '班级',
  dorm: '宿舍',
  isPrevious: '往届',
  prereq: '前提条件完成情况',
  current: '当前节点完成情况',
  limit: '每页条数',
  offset: '起始位置',
  items: '勾选的学生',
  base64: '文件',
  fileName: '文件名',
  by: '批量方式',
  lifted: '限制状态',
  operatorNo: '工号',
  password: '密码',
  filter: '筛选条件',
  classes: '班级列表',
  timeZone: '时区',
};

export function fieldLabel(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'string' ? (FIELD_LABELS[p] ?? p) : `第 ${Number(p) + 1} 项`)).join(' → ');
}
