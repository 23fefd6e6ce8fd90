import { eq } from 'drizzle-orm';
import type { RosterPreview } from '../../src-shared/contract/console-api';
import type { BatchDef } from '../../src-shared/domain/types';
import { students } from '../db/schema';
import { AdminError } from '../admin/admin-error';
import { requireBatch } from '../admin/batches';
import { storeRoster } from '../admin/roster-store';
import { withdrawalReason } from '../admin/roster-withdrawal';
import { HttpError } from '../http/http-error';
import { readRosterBytes, RosterFileError, type RosterFile } from '../roster/read-roster-file';
import { importVerdict } from '../roster/import-verdict';
import { rosterTemplate } from '../roster/write-roster-template';
import { position } from '../sync/history';
import { recordConsoleChange } from '../console/console-log';
import { signedIn, type ConsoleContext, type HandlerMap } from '../console/handler-map';

type RosterMethods = 'roster.template' | 'roster.preview' | 'roster.apply';

/** Refusals of the shared roster code become 400s with their Chinese message. */
async function asRequest<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof AdminError) throw new HttpError(400, 'bad_request', [e.message, ...e.problems].join('\n'));
    if (e instanceof RosterFileError) throw new HttpError(400, 'bad_request', e.message);
    throw e;
  }
}

async function readUpload(def: BatchDef, fileName: string, content: string): Promise<RosterFile> {
  return asRequest(() => readRosterBytes(Buffer.from(content, 'base64'), fileName, def));
}

/**
 * 名单: the template, a preview of an upload row by row (the CLI's checks), and the import,
 * all through the running server, so PGlite never needs a second process. The import is one
 * transaction (storeRoster); counters hear of it at once through the change feed.
 */
export function rostersApp(ctx: ConsoleContext): HandlerMap<RosterMethods> {
  const { db, batches, notifier } = ctx.server;
  const batchOf = (batchId: string) => asRequest(() => requireBatch(db, batchId));
  return {
    'roster.template': async (input) => {
      const batch = await batchOf(input.batchId);
      const bytes = Buffer.from(await rosterTemplate(batch.definition).xlsx.writeBuffer());
      return { fileName: `${batch.name}-花名册模板.xlsx`, content: bytes.toString('base64') };
    },

    'roster.preview': async (input): Promise<RosterPreview> => {
      const batch = await batchOf(input.batchId);
      const roster = await readUpload(batch.definition, input.fileName, input.content);
      const existing = await db
        .select({ studentNo: students.studentNo, name: students.name, college: students.college, withdrawnReason: students.withdrawnReason })
        .from(students)
        .where(eq(students.batchId, batch.id));
      const before = new Map(existing.map((s) => [s.studentNo, s]));
      const listed = new Set(roster.students.map((s) => s.studentNo));
      const moved = roster.students.flatMap((s) => {
        const was = before.get(s.studentNo);
        return was && was.college !== s.college ? [{ studentNo: s.studentNo, name: s.name, from: was.college, to: s.college }] : [];
      });
      return {
        fileName: input.fileName,
        valid: roster.fileProblems.length > 0 ? 0 : roster.students.length,
        fileProblems: roster.fileProblems,
        rowProblems: roster.rowProblems.map((p) => `第 ${p.row} 行：${p.messages.join('；')}`),
        added: roster.students.filter((s) => !before.has(s.studentNo)).length,
        updated: roster.students.filter((s) => before.has(s.studentNo)).length,
        moved,
        missing: existing
          .filter((s) => !listed.has(s.studentNo) && s.withdrawnReason === null)
          .map(({ studentNo, name, college }) => ({ studentNo, name, college })),
      };
    },

    'roster.apply': async (input, call) => {
      const account = signedIn(call);
      const batch = await batchOf(input.batchId);
      const roster = await readUpload(batch.definition, input.fileName, input.content);
      const withdrawMissing = input.withdrawMissingReason === undefined ? undefined : await asRequest(async () => withdrawalReason(input.withdrawMissingReason));
      const verdict = importVerdict(roster, { skipInvalid: input.skipInvalid, withdrawMissing: withdrawMissing !== undefined });
      if (verdict.kind === 'withdraw_needs_whole_file') {
        throw new HttpError(400, 'bad_request', '退出文件中缺少的学生需要整份花名册都正确：请改正有误的行，不要勾选“只导入正确的行”');
      }
      if (verdict.kind === 'header') throw new HttpError(400, 'bad_request', `花名册的表头有误，未导入任何数据：\n${verdict.problems.join('\n')}`);
      if (verdict.kind === 'rows') {
        throw new HttpError(400, 'bad_request', `花名册有 ${verdict.problems.length} 行有误，未导入任何数据（改正后重新上传，或勾选“只导入正确的行”）：\n${verdict.problems.join('\n')}`);
      }
      const by = `控制台:${account.operatorNo}`;
      // write: students, roster_changes (moves, withdrawals) in one transaction (storeRoster); then console_log
      const stored = await asRequest(() => storeRoster(db, batches, batch.id, roster.students, [], { by, withdrawMissing }));
      await recordConsoleChange(
        db,
        account.operatorNo,
        '导入花名册',
        `${batch.name}：${input.fileName}，${stored.students} 名学生${stored.moved.length > 0 ? `，${stored.moved.length} 名换学院` : ''}${stored.withdrawn.length > 0 ? `，${stored.withdrawn.length} 名退出（${withdrawMissing}）` : ''}${verdict.skipped.length > 0 ? `，${verdict.skipped.length} 行有误未导入` : ''}`,
      );
      notifier.committed(await position(db));
      return { students: stored.students, moved: stored.moved, withdrawn: stored.withdrawn, skipped: verdict.skipped, missing: stored.missing.length };
    },
  };
}
