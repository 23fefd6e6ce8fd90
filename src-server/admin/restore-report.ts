import { inArray } from 'drizzle-orm';
import type { Db } from '../db/database';
import { batches, students } from '../db/schema';
import { listRestoreLosses, type ListedLoss } from '../sync/restore-losses';

const pad = (n: number) => String(n).padStart(2, '0');

/** "2027-06-20 09:00:00" in the server's local time; the text as given when it is no time. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const CHANGE_NAMES: Record<string, string> = { passed: '通过', rejected: '未通过', pending: '撤销（改回未办理）', lifted: '解除限制', imposed: '恢复限制' };
const SOURCE_KINDS: Record<ListedLoss['sourceKind'], string> = { operator: '柜台操作员', integration: '接口系统', roster: '花名册导入' };

function sourceLabel(l: ListedLoss): string {
  if (l.sourceKind === 'roster') return SOURCE_KINDS.roster;
  return `${SOURCE_KINDS[l.sourceKind]} ${l.sourceName}（${l.source}）`;
}

/**
 * `admin restore-losses`: per restore, per source, the changes counters had seen that the
 * restore dropped and nobody has sent again — what to ask each source to redo.
 */
export async function printRestoreLosses(db: Db, print: (line: string) => void): Promise<void> {
  const losses = await listRestoreLosses(db);
  if (losses.length === 0) {
    print('没有柜台报告恢复中丢失的办理记录（或丢失的记录都已重新写入）。');
    return;
  }
  const stepNames = new Map<string, string>();
  for (const b of await db.select({ definition: batches.definition }).from(batches)) {
    for (const c of b.definition.checkpoints) for (const s of c.steps) stepNames.set(s.id, `${c.name}·${s.name}`);
  }
  const nos = [...new Set(losses.map((l) => l.studentNo))];
  const names = new Map<string, string>();
  for (let i = 0; i < nos.length; i += 5000) {
    const rows = await db.select({ no: students.studentNo, name: students.name }).from(students).where(inArray(students.studentNo, nos.slice(i, i + 5000)));
    for (const r of rows) names.set(r.no, r.name);
  }
  let history: string | null = null;
  let source: string | null = null;
  for (const l of losses) {
    if (l.historyId !== history) {
      history = l.historyId;
      source = null;
      const backup = l.backupOf ? formatTime(l.backupOf) : '时间不明';
      const count = losses.filter((x) => x.historyId === l.historyId).length;
      print(`服务器于 ${l.restoredAt ? formatTime(l.restoredAt) : '未知时间'} 从 ${backup} 的备份恢复，丢失 ${count} 条办理记录：`);
    }
    const label = sourceLabel(l);
    if (label !== source) {
      source = label;
      const count = losses.filter((x) => x.historyId === l.historyId && sourceLabel(x) === label).length;
      print(`  ${label}：${count} 条，请${l.sourceKind === 'operator' ? '该操作员重新办理' : l.sourceKind === 'integration' ? '该系统重新发送' : '重新导入花名册'}`);
    }
    const note = l.note ? `  备注：${l.note}` : '';
    print(`    ${l.studentNo} ${names.get(l.studentNo) ?? ''}  ${stepNames.get(l.stepId) ?? l.stepId}  ${CHANGE_NAMES[l.change] ?? l.change}  ${formatTime(l.changedAt)}${note}  （柜台 ${l.reportedBy} 报告）`);
  }
}
