import type Database from 'better-sqlite3';
import { repairText, textProblem } from '../../src-shared/contract/text-rule';

/**
 * Ops an older build let into the outbox with text the server cannot store (a NUL, half an
 * emoji in a note) blocked sync for good. On open, every unsent op breaking the text rule is
 * rewritten in its repaired form (control characters removed, lone surrogates replaced by
 * U+FFFD) and uploaded like that; the op as written is kept in `repaired_from`, the audit log
 * keeps the original note, and the sync panel lists the repair. The local view's note follows
 * the repaired op, as the server's row will.
 */

interface UnsentRow {
  device_seq: number;
  operator_id: string;
  student_no: string;
  step_id: string;
  args: string;
  client_time: string;
}

export interface RepairedOriginal {
  operatorId: string;
  studentNo: string;
  stepId: string;
  note: string;
  clientTime: string;
}

const breaks = (value: string) => textProblem(value) !== null;

/** Repairs every unsent op breaking the text rule in one transaction; returns how many. */
export function repairOutbox(sqlite: Database.Database): number {
  const rows = sqlite
    .prepare('select device_seq, operator_id, student_no, step_id, args, client_time from outbox where acked_at is null and repaired_from is null')
    .all() as UnsentRow[];
  const broken = rows.filter((r) => {
    const note = (JSON.parse(r.args) as { note: string }).note;
    return [r.operator_id, r.student_no, r.step_id, note, r.client_time].some(breaks);
  });
  if (broken.length === 0) return 0;
  const updateOp = sqlite.prepare(
    'update outbox set operator_id = ?, student_no = ?, step_id = ?, args = ?, client_time = ?, repaired_from = ? where device_seq = ?',
  );
  const updateNote = (table: 'step_states' | 'waivers') =>
    sqlite.prepare(`update ${table} set note = ? where student_no = ? and step_id = ? and note = ?`);
  const stateNote = updateNote('step_states');
  const waiverNote = updateNote('waivers');
  sqlite
    .transaction(() => {
      for (const r of broken) {
        const args = JSON.parse(r.args) as { note: string };
        const original: RepairedOriginal = { operatorId: r.operator_id, studentNo: r.student_no, stepId: r.step_id, note: args.note, clientTime: r.client_time };
        const note = repairText(args.note);
        const studentNo = repairText(r.student_no);
        const stepId = repairText(r.step_id);
        updateOp.run(repairText(r.operator_id), studentNo, stepId, JSON.stringify({ ...args, note }), repairText(r.client_time), JSON.stringify(original), r.device_seq);
        stateNote.run(note, studentNo, stepId, args.note);
        waiverNote.run(note, studentNo, stepId, args.note);
      }
    })
    .immediate();
  return broken.length;
}
