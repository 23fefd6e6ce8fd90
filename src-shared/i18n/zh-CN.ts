import type { MissingGroup } from '../domain/gate';
import type { Refusal } from '../domain/actions';
import type { Standing } from '../domain/standing';
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
    withdrawn: '该学生已退出本批次',
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
  /** The counter screen (src-renderer). */
  ui: {
    /** Punctuation and date shapes differ between languages too. */
    format: {
      clock: (year: number, month: number, day: number, weekday: string, time: string) =>
        `${year}年${month}月${day}日 ${weekday} ${time}`,
      asOf: (month: number, day: number, time: string) => `${month}月${day}日${time}`,
      separator: '：',
      labelled: (label: string, value: string) => `${label}：${value}`,
      list: (items: string[]) => items.join('、'),
      heading: (name: string) => `【${name}】`,
    },
    header: {
      brandMark: '离',
      checkpoint: '当前离校点',
      operator: '操作员',
      today: '今天是',
      weekdays: ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'],
      schoolLine: (asOf: string, total: number, unfinished: number, percent: string) =>
        `截至${asOf}止，全校应离校人数 ${total}人，未完成 ${unfinished}人（${percent}）`,
      loading: '正在连接离校办理台…',
      switchFailed: '切换离校点失败',
      linkLost: '与后台的实时连接已断开，正在重连；界面上的数据可能不是最新的',
    },
    search: {
      title: '查询学生',
      studentNo: '学生学号',
      name: '学生姓名',
      idCard: '身份证号',
      prereq: '前提条件完成情况',
      current: '当前节点完成情况',
      filter: { all: '全部', done: '已完成', notDone: '未完成' },
      studentNoPlaceholder: '扫码或输入学号',
      namePlaceholder: '姓名',
      idCardPlaceholder: '18 位身份证号',
      submit: '查询',
      reset: '重置',
      queue: '待办队列',
      queueHint: '前提条件已完成、本离校点尚未办结的学生',
      results: '查询结果',
      total: (n: number) => `共 ${n} 人`,
      empty: '没有符合条件的学生',
      idle: '输入条件后按 Enter 查询，或点“待办队列”',
      searching: '正在查询…',
      rowState: { done: '已办结', ready: '可办理', waiting: '待前置' },
    },
    stats: {
      title: '实时统计',
      updatedAt: '最新更新于',
      refresh: '刷新',
      total: '应离校',
      unfinished: '未完成',
      rate: '未完成率',
      previous: (n: number) => `往届 ${n}人`,
      footnote: '括号内为往届人数',
      collapse: '收起',
      expand: '展开',
    },
    student: {
      title: '基本信息',
      name: '姓名',
      gender: '性别',
      studentNo: '学号',
      college: '所属院系',
      major: '专业名称',
      className: '班级',
      dorm: '住宿地址',
      idCard: '身份证号',
      noDorm: '无住宿信息',
      previous: '往届',
      close: '关闭',
      moved: (college: string) => `已转至 ${college}`,
      movedHint: '该学生已不属于本柜台负责的学院，请到其所在学院的柜台办理。此前的办理记录仍保留。',
      withdrawn: (reason: string) => `已退出本批次（${reason}）`,
      withdrawnHint: '该学生已不在本离校批次中，不能办理任何环节。此前的办理记录仍保留。',
    },
    ops: {
      title: '离校操作',
      note: '备注',
      notePlaceholder: '备注（可选）',
      submit: '提交',
      checkAll: '全选可办',
      busy: '正在提交…',
      nothingChecked: '请先勾选要办理的步骤',
      applied: {
        pass: (step: string) => `已通过：${step}`,
        reject: (step: string) => `已标记为未通过：${step}`,
        revoke: (step: string) => `已撤销：${step}`,
      },
      submitted: (n: number) => `已提交 ${n} 项，办理成功`,
      partlySubmitted: (n: number, reason: string) => `已提交 ${n} 项，其余未提交：${reason}`,
      reasonTitle: { reject: '未通过原因', revoke: '撤销原因' },
      reasonPlaceholder: '请填写原因（必填）',
      confirm: '确定',
      cancel: '取消',
      noSteps: '本离校点没有需要该生办理的步骤',
      checkpointDone: '本离校点业务已全部办结',
      lifted: '限制已解除',
      lastChange: (by: string, at: string) => `${by} · ${at}`,
    },
    record: {
      title: '离校记录',
      overall: { done: '全部完成', notDone: '未完成' },
      progress: (passed: number, total: number) => `已通过 ${passed}/${total}`,
      by: '办理人',
      at: '时间',
      note: '备注',
      empty: '查询学生后显示其全部离校点的办理情况',
    },
    activity: {
      title: '本机最近办理',
      count: (n: number) => `本次共 ${n} 项`,
      reopen: '点击重新打开该学生',
    },
    candidates: {
      title: (n: number) => `找到 ${n} 名学生，请选择`,
      hint: '按 ↑ ↓ 选择，Enter 打开',
    },
    welcome: {
      title: '请扫描学生证，或输入学号查询',
      tips: [
        '扫码枪扫描学生证或二维码，光标在任何位置都可以',
        '也可以输入学号、姓名或身份证号后按 Enter',
        '勾选要办理的步骤，按 F9 提交；按 Esc 清空，接待下一位',
      ],
    },
    flash: { ready: '就绪：请扫描学生证，或输入学号查询' },
    scan: {
      found: (name: string, studentNo: string) => `已读取：${name}（${studentNo}）`,
      blocked: (name: string) => `${name}：有前置步骤未完成，暂不能办理`,
      outOfScope: (name: string) => `${name}：不属于您负责的学院，不能办理`,
      departed: (name: string, standing: string) => `${name}：${standing}，本柜台不再办理`,
      several: (n: number) => `找到 ${n} 名学生，请选择`,
    },
    errors: {
      badReply: '后台返回了无法识别的数据',
      unknown: '操作失败，请重试',
      hostUnreachable: '无法连接到离校办理台后台，请确认程序仍在运行',
      loadFailed: '无法加载离校会话',
      retry: '重试',
    },
  },
} as const;

/** "学生工作处离校点: 归还学生证; 宿管中心离校点: 清理宿舍物品" */
export function formatMissing(groups: MissingGroup[]): string {
  return groups.map((g) => `${g.checkpointName}: ${g.steps.map((s) => s.name).join('、')}`).join('; ');
}

export function refusalMessage(refusal: Refusal): string {
  if (refusal.code === 'blocked') return `${zhCN.refusal.blocked} ${formatMissing(refusal.missing)}`;
  if (refusal.code === 'withdrawn') return `${zhCN.refusal.withdrawn}（${refusal.reason}），不能办理`;
  return zhCN.refusal[refusal.code];
}

/** Where a student who is no longer the counter's own went: "已转至 机电工程学院", "已退出本批次（延期毕业）". */
export function standingText(standing: Exclude<Standing, { kind: 'own' }>): string {
  return standing.kind === 'moved' ? zhCN.ui.student.moved(standing.college) : zhCN.ui.student.withdrawn(standing.reason);
}
