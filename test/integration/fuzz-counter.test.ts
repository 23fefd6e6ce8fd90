import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DESK_SETTINGS } from '../../src-shared/contract/desk-api';
import { clearLock } from '../../src-main/counter/session-lock';
import { counterApi } from '../../src-shared/contract/counter-api';
import { RESCUE_FORMAT } from '../../src-shared/contract/rescue';
import { createCounterService } from '../../src-main/counter/service';
import { importTemplate } from '../../src-main/counter/list-import';
import { startBrowserHost, type BrowserHost } from '../../src-main/host/browser-host';
import { PASSWORD } from '../../src-server/testing/fixtures';
import { bodyCases, errorMessage, runFuzz, type FuzzCase, type Tally } from './fuzz-cases';
import { SyncWorld, type Counter } from './sync-world';

/**
 * Issue 21, the figure for the counter: every counter API method, called over the browser host
 * (the transport the renderer uses in a browser) with the table of hostile inputs, answers no
 * 5xx and no `internal` error; every refusal is Chinese; a refused call changes nothing in the
 * replica.
 */

const CS1 = '2023000001';
const CS2 = '2023000002';
/** The largest body the browser host accepts for most methods, and for the list import. */
const CALL_LIMIT = 1024 * 1024;
const IMPORT_LIMIT = 32 * 1024 * 1024;

const world = new SyncWorld('pglite');
let counter: Counter;
let host: BrowserHost;
const tallies = new Map<string, Tally>();

beforeAll(async () => {
  await world.start();
  counter = await world.counter('T-DORM');
  const rendererDir = join(world.dir, 'renderer');
  mkdirSync(rendererDir);
  host = await startBrowserHost({ service: createCounterService(counter.replica, { sync: counter.client }), rendererDir });
});
afterAll(async () => {
  console.log('fuzz, counter API over the browser host:');
  console.table(Object.fromEntries(tallies));
  await host?.close();
  await world.stop();
});

/** What a refused call may not change: the outbox, the audit log, every state and waiver, the session. */
function fingerprint(): string {
  const row = counter.replica.sqlite
    .prepare(
      `select (select count(*) from outbox) as ops, (select count(*) from audit_log) as audit,
        (select total(version) from step_states) as versions, (select group_concat(note, '|') from step_states where note <> '') as notes,
        (select count(*) || ':' || total(version) from waivers) as waivers, (select group_concat(key || '=' || value, ';') from meta) as meta`,
    )
    .get();
  return JSON.stringify(row);
}

async function baseInputs(): Promise<Record<string, Record<string, unknown>>> {
  const template = (await importTemplate()).base64;
  const login = { serverUrl: world.relay.url, operatorNo: 'T-DORM', password: PASSWORD };
  return {
    'session.get': {},
    'session.setCheckpoint': { checkpointId: 'dorm' },
    'session.signIn': { operatorNo: 'T-DORM', password: PASSWORD },
    'batch.get': {},
    'students.lookup': { text: CS1 },
    'students.search': { studentNo: '2023', name: '学生', college: '计算机学院', className: '计算机学院1班', dorm: '1-101', isPrevious: false, prereq: 'all', current: 'notDone', limit: 10, offset: 0 },
    'students.detail': { studentNo: CS1 },
    'steps.apply': { studentNo: CS2, stepId: 'dorm-clearance', action: 'reject', note: '钥匙未还' },
    'stats.checkpoint': {},
    'reports.daily': { date: '2027-06-20', timeZone: 'Asia/Shanghai', checkpointId: 'dorm' },
    'reports.chaseSummary': { checkpointId: 'dorm', timeZone: 'Asia/Shanghai', filter: { college: '计算机学院', className: '1班', dorm: '1-1' } },
    'reports.chasePage': { checkpointId: 'dorm', filter: { dorm: '1-1' }, classes: [{ college: '计算机学院', className: '计算机学院1班' }] },
    'reports.dailyXlsx': { date: '2027-06-20' },
    'reports.chaseXlsx': { checkpointId: 'dorm', filter: { className: '1班' } },
    'reports.slip': { studentNo: CS1 },
    'reports.verifySlip': { text: 'LXSLIP|2027-bk|2023000001' },
    'batch.grid': { studentNo: CS1, by: 'class' },
    'batch.apply': { items: [{ studentNo: CS1, stepId: 'dorm-clearance' }], note: '' },
    'listImport.template': {},
    'listImport.preview': { fileName: '名单.xlsx', base64: template, stepId: 'dorm-clearance', choices: { 3: CS1 } },
    'listImport.apply': { fileName: '名单.xlsx', base64: template, stepId: 'dorm-clearance', choices: {} },
    'waivers.forStudent': { studentNo: CS1 },
    'waivers.set': { studentNo: CS1, stepId: 'dorm-clearance', lifted: true, note: '缓交' },
    'waivers.lifted': { limit: 10, offset: 0 },
    'sync.status': {},
    'sync.conflicts': {},
    'sync.resolveConflict': { id: 1 },
    'sync.dismissRestore': { historyId: '0193c0de-0000-7000-8000-000000000001' },
    'sync.trustCertificate': { fingerprint: 'AB:CD:EF:01' },
    'sync.writeRescue': {},
    'sync.uploadRescue': {
      fileName: 'counter.db.rescue.json',
      content: JSON.stringify({ format: RESCUE_FORMAT, deviceId: counter.deviceId, serverUrl: null, writtenAt: '2027-06-20T09:00:00+08:00', replicaPath: 'counter.db', complete: true, ops: [] }),
    },
    'setup.probe': { serverUrl: world.relay.url },
    'desk.settings': {},
    'desk.saveSettings': { ...DEFAULT_DESK_SETTINGS, scanner: { ...DEFAULT_DESK_SETTINGS.scanner, prefix: 'QR:' }, camera: { deviceId: 'cam-1' } },
    'desk.probeServer': { serverUrl: world.relay.url },
    // The address it already has: refused whatever else the case sends.
    'desk.moveServer': { serverUrl: world.relay.url, operatorNo: 'T-DORM', password: PASSWORD },
    'session.lockState': {},
    'session.lock': {},
    'session.unlock': { password: PASSWORD },
    'session.signOut': {},
    'setup.state': {},
    'update.status': {},
    'update.install': {},
    'update.feed': {},
    'setup.login': login,
    'setup.start': { ...login, counterName: '二号柜台', batchId: '2027-bk', checkpointId: 'dorm', registrationCode: 'AAAA-BBBB-CCCC' },
  };
}

describe('fuzzing every counter API method', () => {
  // 锁屏 and 退出登录 accept their base input: the methods after them must find the counter open.
  afterEach(() => clearLock(counter.replica));

  it('has a base input for every method of the contract', async () => {
    expect(Object.keys(await baseInputs()).sort()).toEqual(Object.keys(counterApi).sort());
  });

  it.each(Object.keys(counterApi))('%s', async (method) => {
    const base = (await baseInputs())[method]!;
    const limit = method.startsWith('listImport.') ? IMPORT_LIMIT : CALL_LIMIT;
    const auth = { authorization: `Bearer ${host.token}` };
    const cases: FuzzCase[] = bodyCases(base, limit).map((c) => ({ name: c.name, method: 'POST', path: `/api/call/${method}`, c, headers: auth }));
    const { tally, problems } = await runFuzz({
      baseUrl: `http://127.0.0.1:${host.port}`,
      cases,
      fingerprint,
      refusal: (answer) => {
        if (answer.status >= 400) return { message: errorMessage(answer.body).message, internal: answer.status >= 500 };
        const parsed = JSON.parse(answer.body) as { ok: boolean };
        if (parsed.ok) return null;
        const { message, code } = errorMessage(answer.body);
        return { message, internal: code === 'internal' };
      },
    });
    tallies.set(method, tally);
    expect(problems).toEqual([]);
    expect(tally['5xx or internal']).toBe(0);
  });
});
