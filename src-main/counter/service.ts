import { z } from 'zod';
import {
  ApiError,
  counterApi,
  type ApiResponse,
  type Input,
  type Method,
  type Output,
} from '../../src-shared/contract/counter-api';
import type { ChangeListener } from '../db/change-feed';
import type { Replica } from '../db/open';
import { ReplicaError } from '../db/replica-error';
import { studentDetail } from './detail';
import { lookupStudents } from './lookup';
import { fieldLabel, messages } from './messages';
import { applyOps } from './mutate';
import { searchStudents } from './search';
import { currentSession, switchCheckpoint, toSessionDto } from './session';
import { checkpointStats } from './stats';
import { chasePage, chaseRows, chaseSummary } from '../reports/chase';
import { dailyReport } from '../reports/daily';
import { studentSlip, verifySlip } from '../reports/slip';
import { chaseListXlsx, dailyReportXlsx } from '../reports/xlsx';
import { applyBatch, batchGrid } from './class-batch';
import { applyImport, importTemplate, previewImport } from './list-import';
import { liftedList, setWaiver, waiverDesk } from './waivers';
import { fileTokenStore, type DeviceTokenStore } from '../sync/device-token-store';
import { syncHandlers } from '../sync/sync-handlers';
import { offlineAttemptLimiter } from '../sync/operator-sign-in';
import { deskHandlers } from './desk-handlers';
import { requireOpen } from './session-lock';
import type { SyncClient } from '../sync/sync-client';
import { updateHandlers } from '../updates/update-handlers';

export interface CounterServiceOptions {
  now?: () => Date;
  /** The running sync client, whose live status the header shows; without one, the stored status. */
  sync?: SyncClient;
  /** Where the device token is kept (sign-in, the stored status); a file next to the replica when omitted. */
  tokens?: DeviceTokenStore;
}

/** exceljs writes workbooks asynchronously, and some methods wait for the server; every other method answers at once. */
type AsyncMethod =
  | 'reports.dailyXlsx'
  | 'reports.chaseXlsx'
  | 'listImport.template'
  | 'listImport.preview'
  | 'listImport.apply'
  | 'sync.resolveConflict'
  | 'sync.trustCertificate'
  | 'sync.writeRescue'
  | 'sync.uploadRescue'
  | 'session.signIn'
  | 'desk.probeServer'
  | 'desk.moveServer'
  | 'session.unlock';
export type Result<M extends Method> = M extends AsyncMethod ? Promise<Output<M>> : Output<M>;

type Handlers = { [M in Method]: (input: z.output<(typeof counterApi)[M]['input']>) => Result<M> };

export interface CounterService {
  readonly replica: Replica;
  /** Validates the input with the contract schema, then runs the method. Throws ApiError. */
  call<M extends Method>(method: M, input: Input<M>): Result<M>;
  /** For transports: never rejects; an unknown method or bad input becomes an error response. */
  dispatch(method: string, input: unknown): Promise<ApiResponse<unknown>>;
  subscribe(listener: ChangeListener): () => void;
}

/** zod's own messages in Chinese, for fields whose schema carries no message of its own. */
const zodChinese = z.locales.zhCN().localeError;

export function isMethod(name: string): name is Method {
  return Object.hasOwn(counterApi, name);
}

function parseInput<M extends Method>(method: M, input: unknown): z.output<(typeof counterApi)[M]['input']> {
  const result = counterApi[method].input.safeParse(input ?? {}, { error: zodChinese });
  if (result.success) return result.data as z.output<(typeof counterApi)[M]['input']>;
  const detail = result.error.issues
    .map((i) => {
      const label = fieldLabel(i.path);
      // The text rule's messages name their field already.
      return i.path.length > 0 && !i.message.startsWith(label) ? `${label}：${i.message}` : i.message;
    })
    .join('；');
  throw new ApiError('bad_input', messages.badInput(detail));
}

function toErrorResponse(e: unknown): ApiResponse<never> {
  if (e instanceof ApiError) return { ok: false, error: { code: e.code, message: e.message } };
  if (e instanceof ReplicaError) return { ok: false, error: { code: 'internal', message: e.message } };
  console.error('counter call failed', e);
  return { ok: false, error: { code: 'internal', message: messages.internal((e as Error).message) } };
}

/** The counter API over one replica: every method of src-shared/contract/counter-api.ts. */
export function createCounterService(replica: Replica, options: CounterServiceOptions = {}): CounterService {
  const now = options.now ?? (() => new Date());
  const tokens = options.tokens ?? fileTokenStore;
  // One count of wrong offline passwords per 工号, whether typed at 换人登录 or at the lock screen.
  const offlineAttempts = offlineAttemptLimiter(() => now().getTime());
  const sync = syncHandlers(replica, options.sync ?? null, now, tokens, offlineAttempts);

  const handlers: Handlers = {
    'session.get': () => toSessionDto(replica, currentSession(replica)),
    'session.setCheckpoint': ({ checkpointId }) => toSessionDto(replica, switchCheckpoint(replica, checkpointId)),
    'batch.get': () => replica.batch.def,
    'students.lookup': ({ text }) => lookupStudents(replica, currentSession(replica).checkpointId, text),
    'students.search': (input) => searchStudents(replica, currentSession(replica).checkpointId, input),
    'students.detail': ({ studentNo }) => studentDetail(replica, currentSession(replica), studentNo),
    'steps.apply': ({ studentNo, stepId, action, note }) => {
      const session = currentSession(replica);
      const { refusals } = applyOps(replica, session, [{ kind: action, studentNo, stepId, note }], { now });
      const refusal = refusals[0];
      if (refusal) {
        const code = refusal.reason.code === 'unknown_student' || refusal.reason.code === 'unknown_step' ? 'not_found' : 'refused';
        throw new ApiError(code, refusal.message);
      }
      return studentDetail(replica, session, studentNo);
    },
    'stats.checkpoint': () => checkpointStats(replica, currentSession(replica), now()),
    'reports.daily': (input) => dailyReport(replica, input, now()),
    'reports.chaseSummary': (input) => chaseSummary(replica, input, now()),
    'reports.chasePage': (input) => chasePage(replica, input),
    'reports.dailyXlsx': (input) => dailyReportXlsx(dailyReport(replica, input, now())),
    'reports.chaseXlsx': (input) => {
      const { summary, pages } = chaseRows(replica, input, now());
      return chaseListXlsx(summary, pages());
    },
    'reports.slip': ({ studentNo }) => studentSlip(replica, studentNo, now()),
    'reports.verifySlip': ({ text }) => verifySlip(replica, text),
    'batch.grid': (input) => batchGrid(replica, currentSession(replica), input),
    'batch.apply': (input) => applyBatch(replica, currentSession(replica), input, now),
    'listImport.template': () => importTemplate(),
    'listImport.preview': (input) => previewImport(replica, currentSession(replica), input),
    'listImport.apply': (input) => applyImport(replica, currentSession(replica), input, now),
    'waivers.forStudent': ({ studentNo }) => waiverDesk(replica, currentSession(replica), studentNo),
    'waivers.set': (input) => setWaiver(replica, currentSession(replica), input, now),
    'waivers.lifted': (input) => liftedList(replica, currentSession(replica), input),
    ...sync,
    ...deskHandlers(replica, options.sync ?? null, now, tokens, offlineAttempts, sync['session.signIn']),
    ...updateHandlers(replica),
  };

  const call = <M extends Method>(method: M, input: Input<M>): Result<M> => {
    const handler = handlers[method] as (input: unknown) => Result<M>;
    requireOpen(replica, method);
    return handler(parseInput(method, input));
  };

  return {
    replica,
    call,
    async dispatch(method, input) {
      if (!isMethod(method)) return { ok: false, error: { code: 'not_found', message: messages.unknownMethod(method) } };
      try {
        return { ok: true, value: await call(method, input as Input<typeof method>) };
      } catch (e) {
        return toErrorResponse(e);
      }
    },
    subscribe: (listener) => replica.changes.subscribe(listener),
  };
}
