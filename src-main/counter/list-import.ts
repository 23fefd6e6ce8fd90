import type { z } from 'zod';
import type { ImportApplyResult, ImportPreview, ImportRow, ImportVerdict, importInputSchema } from '../../src-shared/contract/batch-api';
import { IMPORT_VERDICTS } from '../../src-shared/contract/batch-api';
import { ApiError } from '../../src-shared/contract/counter-api';
import { codePointLength, NOTE_MAX } from '../../src-shared/contract/text-rule';
import type { XlsxFile } from '../../src-shared/contract/report-api';
import { accessRefusal, checkActions, type Refusal } from '../../src-shared/domain/actions';
import { batchZhCN as t } from '../../src-shared/i18n/batch.zh-CN';
import { excelZhCN } from '../../src-shared/i18n/excel.zh-CN';
import { formatMissing, refusalMessage, zhCN } from '../../src-shared/i18n/zh-CN';
import type { Replica } from '../db/open';
import type { ReplicaSession } from '../db/session-store';
import { writeListTemplate, writeRejectedRows } from '../excel/list-files';
import { ListFileError, readStudentList, resolveStudentNo, type ListRow, type StudentList } from '../excel/student-list';
import { applyMany } from './mutate';
import { grantFor } from './session';
import { loadGateInputs, STUDENT_COLUMNS, type StudentRow } from './student-store';

type ImportInput = z.output<typeof importInputSchema>;

/** The preview table shows this many rows; the counts always cover the whole file. */
export const PREVIEW_ROW_LIMIT = 2000;
const IN_CHUNK = 500;

interface Classified {
  rows: ImportRow[];
  stepId: string;
  stepName: string;
  sheetName: string;
}

function toBytes(base64: string): Uint8Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0) throw new ApiError('bad_input', t.errors.badBase64);
  return bytes;
}

/** The step must be a manual step of the checkpoint the counter works for now. */
function importStep(replica: Replica, session: ReplicaSession, stepId: string) {
  const { batch } = replica;
  const checkpoint = batch.checkpoint(session.checkpointId);
  const step = checkpoint.steps.find((s) => s.id === stepId);
  const stepName = batch.hasStep(stepId) ? batch.step(stepId).step.name : stepId;
  if (!step) throw new ApiError('bad_input', t.errors.stepNotHere(stepName, checkpoint.name));
  if (step.mode === 'auto') throw new ApiError('bad_input', t.errors.autoStep(step.name));
  const grant = grantFor(session, checkpoint.id);
  if (!grant) throw new ApiError('forbidden', t.errors.noGrantHere(checkpoint.name));
  return { checkpoint, step, grant };
}

async function readList(base64: string) {
  try {
    return await readStudentList(toBytes(base64));
  } catch (e) {
    if (e instanceof ListFileError) throw new ApiError('bad_input', e.message);
    throw e;
  }
}

function studentRows(replica: Replica, nos: readonly string[]): Map<string, StudentRow> {
  const out = new Map<string, StudentRow>();
  for (let i = 0; i < nos.length; i += IN_CHUNK) {
    const chunk = nos.slice(i, i + IN_CHUNK);
    const rows = replica.sqlite
      .prepare(`select ${STUDENT_COLUMNS} from students s where s.student_no in (${chunk.map(() => '?').join(',')})`)
      .all(...chunk) as StudentRow[];
    for (const r of rows) out.set(r.student_no, r);
  }
  return out;
}

const REFUSAL_VERDICT: Partial<Record<Refusal['code'], ImportVerdict>> = {
  already_passed: 'already_done',
  already_rejected: 'already_done',
  not_applicable: 'not_applicable',
  blocked: 'blocked',
  out_of_scope: 'out_of_scope',
  withdrawn: 'out_of_scope',
};

function refusalText(refusal: Refusal): string {
  if (refusal.code === 'blocked') return `${t.grid.blockedShort}${formatMissing(refusal.missing)}`;
  return refusalMessage(refusal);
}

/**
 * Reads the file and judges every row against the replica as it is now: the shared reader for
 * the cells, resolveStudentNo for 学号 Excel stored as numbers, then the same checkActions as
 * the counter screen. Nothing is written.
 */
function classify(replica: Replica, session: ReplicaSession, input: ImportInput, list: StudentList): Classified {
  const { checkpoint, step, grant } = importStep(replica, session, input.stepId);
  const allNos = replica.sqlite.prepare('select student_no from students').pluck().all() as string[];
  const roster = new Set(allNos);
  const lengths = [...new Set(allNos.map((n) => n.length))].sort((a, b) => a - b);

  type Pending = { row: ListRow; out: ImportRow };
  const pending: Pending[] = [];
  const firstRowOf = new Map<string, number>();
  const rows: ImportRow[] = list.rows.map((row) => {
    const out: ImportRow = {
      rowNumber: row.rowNumber,
      raw: row.raw,
      studentNo: null,
      name: '',
      className: '',
      action: row.status,
      note: row.note,
      verdict: 'ready',
      restored: false,
      fullWidth: row.fullWidth,
      candidates: [],
      message: '',
    };
    if (row.problem) return { ...out, verdict: 'invalid', message: row.problem };
    if (codePointLength(row.note) > NOTE_MAX) return { ...out, verdict: 'invalid', message: t.errors.noteTooLong };
    const resolution = resolveStudentNo(row, (no) => roster.has(no), lengths);
    let studentNo: string;
    if (resolution.kind === 'unknown') return { ...out, verdict: 'unknown', message: excelZhCN.unknown };
    if (resolution.kind === 'ambiguous') {
      const chosen = input.choices[String(row.rowNumber)];
      if (!chosen || !resolution.candidates.includes(chosen)) {
        out.candidates = resolution.candidates.map((no) => ({ studentNo: no, name: '', className: '' }));
        return { ...out, verdict: 'ambiguous', message: excelZhCN.ambiguous(resolution.candidates) };
      }
      studentNo = chosen;
      out.restored = true;
      out.message = excelZhCN.restored(row.studentNo, chosen);
    } else {
      studentNo = resolution.studentNo;
      if (resolution.kind === 'restored') {
        out.restored = true;
        out.message = excelZhCN.restored(row.studentNo, studentNo);
      } else if (row.fullWidth) {
        out.message = excelZhCN.fullWidth;
      }
    }
    out.studentNo = studentNo;
    const first = firstRowOf.get(studentNo);
    if (first !== undefined) return { ...out, verdict: 'duplicate', message: excelZhCN.duplicate(first) };
    firstRowOf.set(studentNo, row.rowNumber);
    pending.push({ row, out });
    return out;
  });

  const wanted = new Set<string>();
  for (const r of rows) {
    if (r.studentNo) wanted.add(r.studentNo);
    for (const c of r.candidates) wanted.add(c.studentNo);
  }
  const found = studentRows(replica, [...wanted]);
  for (const r of rows) {
    const s = r.studentNo ? found.get(r.studentNo) : undefined;
    if (s) {
      r.name = s.name;
      r.className = s.class_name;
    }
    for (const c of r.candidates) {
      const cs = found.get(c.studentNo);
      if (cs) Object.assign(c, { name: cs.name, className: cs.class_name });
    }
  }

  const gates = new Map(
    loadGateInputs(
      replica,
      pending.map((p) => found.get(p.out.studentNo!)!),
    ).map((g) => [g.student.studentNo, g]),
  );
  for (const { out } of pending) {
    const gate = gates.get(out.studentNo!)!;
    const access = accessRefusal(grant, checkpoint, { college: gate.student.college, withdrawnReason: found.get(out.studentNo!)!.withdrawn_reason });
    const refusal = checkActions(replica.batch, gate.input, step.id, access)[out.action];
    if (!refusal) continue;
    out.verdict = REFUSAL_VERDICT[refusal.code] ?? 'invalid';
    out.message = refusalText(refusal);
  }
  return { rows, stepId: step.id, stepName: step.name, sheetName: list.sheetName };
}

function summarise(input: ImportInput, c: Classified, started: number): ImportPreview {
  const counts = Object.fromEntries(IMPORT_VERDICTS.map((v) => [v, 0])) as Record<ImportVerdict, number>;
  let passCount = 0;
  let rejectCount = 0;
  let restoredCount = 0;
  let fullWidthCount = 0;
  for (const r of c.rows) {
    counts[r.verdict]++;
    if (r.verdict === 'ready') {
      if (r.action === 'pass') passCount++;
      else rejectCount++;
    }
    if (r.restored) restoredCount++;
    if (r.fullWidth) fullWidthCount++;
  }
  // What needs the operator's eye comes first: ambiguous rows ask for an answer.
  const rank = (r: ImportRow) => (r.verdict === 'ambiguous' ? 0 : r.verdict === 'ready' ? 2 : 1);
  const shown = [...c.rows].sort((a, b) => rank(a) - rank(b) || a.rowNumber - b.rowNumber).slice(0, PREVIEW_ROW_LIMIT);
  return {
    fileName: input.fileName,
    sheetName: c.sheetName,
    stepId: c.stepId,
    stepName: c.stepName,
    total: c.rows.length,
    counts,
    passCount,
    rejectCount,
    restoredCount,
    fullWidthCount,
    rows: shown,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** listImport.preview: what an import would do, row by row; applies nothing. */
export async function previewImport(replica: Replica, session: ReplicaSession, input: ImportInput): Promise<ImportPreview> {
  const started = performance.now();
  // A step that cannot be imported is the first thing to say, before the file is read.
  importStep(replica, session, input.stepId);
  return summarise(input, classify(replica, session, input, await readList(input.base64)), started);
}

function fileStem(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.xlsx$/i, '');
  return base || t.import.title;
}

/**
 * listImport.apply: re-reads the file and re-judges every row (the replica may have changed
 * since the preview), then writes the ready rows in one transaction. A row refused inside it
 * joins the rows not taken, each with its reason, in the downloadable file. The preview that
 * comes back is taken after the write.
 */
export async function applyImport(replica: Replica, session: ReplicaSession, input: ImportInput, now: () => Date): Promise<ImportApplyResult> {
  const started = performance.now();
  importStep(replica, session, input.stepId);
  const list = await readList(input.base64);
  const c = classify(replica, session, input, list);
  const ready = c.rows.filter((r) => r.verdict === 'ready');
  const { ops, refusals } = applyMany(
    replica,
    session,
    ready.map((r) => ({ kind: r.action, studentNo: r.studentNo!, stepId: c.stepId, note: r.note })),
    { onRefusal: 'skip', now },
  );
  const refusedAt = new Map(refusals.map((f) => [ready[f.index]!.rowNumber, f.message]));
  const notTaken = c.rows
    .filter((r) => r.verdict !== 'ready' || refusedAt.has(r.rowNumber))
    .map((r) => ({
      rowNumber: r.rowNumber,
      raw: r.raw,
      name: r.name,
      status: zhCN.action[r.action],
      note: r.note,
      reason: refusedAt.get(r.rowNumber) ?? `${t.import.verdict[r.verdict]}：${r.message}`,
    }));
  let rejectedFile: XlsxFile | null = null;
  if (notTaken.length > 0) {
    const bytes = await writeRejectedRows(notTaken);
    rejectedFile = { fileName: t.import.rejectedFileName(fileStem(input.fileName)), base64: Buffer.from(bytes).toString('base64') };
  }
  return {
    passed: ops.filter((o) => o.kind === 'pass').length,
    rejected: ops.filter((o) => o.kind === 'reject').length,
    notTaken: notTaken.length,
    rejectedFile,
    // Judged again on the same rows, so the table shows where each row stands now.
    preview: summarise(input, classify(replica, session, input, list), started),
  };
}

export async function importTemplate(): Promise<XlsxFile> {
  return { fileName: t.import.templateFileName, base64: Buffer.from(await writeListTemplate()).toString('base64') };
}
