import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DESK_SETTINGS } from '../../src-shared/contract/desk-api';
import { createCounterService, type CounterService } from '../../src-main/counter/service';
import { OPEN_WHILE_LOCKED } from '../../src-main/counter/session-lock';
import { deleteMeta } from '../../src-main/db/meta';
import { openReplica } from '../../src-main/db/open';
import { PASSWORD } from '../../src-server/testing/fixtures';
import { SyncWorld, type Counter } from './sync-world';

/**
 * 柜台设置 and 锁屏 / 退出登录 (issues 16 and 13) on a real replica file registered with a real
 * server (PGlite): what is stored, what a restart finds, and what the back end refuses while
 * the counter is locked.
 */

async function ok(service: CounterService, method: string, input: unknown = {}): Promise<Record<string, unknown>> {
  const answer = await service.dispatch(method, input);
  if (!answer.ok) throw new Error(`${method}: ${answer.error.message}`);
  return answer.value as Record<string, unknown>;
}

function outboxCount(counter: Counter): number {
  return (counter.replica.sqlite.prepare('select count(*) as n from outbox').get() as { n: number }).n;
}

describe('柜台设置 and 锁屏', () => {
  const world = new SyncWorld();
  beforeAll(() => world.start());
  afterAll(() => world.stop());

  it('settings are validated whole, stored in the replica and found again after a restart', async () => {
    const counter = await world.counter('T-DORM');
    const service = createCounterService(counter.replica, { sync: counter.client });
    expect(await ok(service, 'desk.settings')).toMatchObject({ settings: DEFAULT_DESK_SETTINGS, server: { url: world.relay.url, check: 'loopback', identityKnown: true } });

    const wanted = {
      scanner: { maxGapMs: 400, maxAverageGapMs: 70, minLength: 6, idleCommitMs: 0, repeatWindowMs: 2000, prefix: ']Q', suffix: '' },
      camera: { deviceId: 'usb-camera-2' },
      sounds: { enabled: false, volume: 30 },
      lock: { idleMinutes: 3 },
    };
    // ']' is not a character the scanner detector takes: refused with the field named, nothing saved.
    const refused: [unknown, RegExp][] = [
      [wanted, /前缀只能含/],
      [{ ...wanted, scanner: { ...wanted.scanner, prefix: 'Q', maxAverageGapMs: 500 } }, /平均按键间隔不能大于按键最大间隔/],
      [{ ...wanted, scanner: { ...wanted.scanner, prefix: 'Q' }, lock: { idleMinutes: 0 } }, /无操作自动锁屏时间不能小于 1 分钟/],
      [{ ...wanted, scanner: { ...wanted.scanner, prefix: 'Q' }, sounds: { enabled: true, volume: 101 } }, /音量不能大于 100/],
      [{ ...wanted, scanner: { ...wanted.scanner, prefix: 'Q', minLength: 2.5 } }, /最短码长必须是整数/],
      [{ ...wanted, lock: undefined }, /./],
    ];
    for (const [input, message] of refused) {
      const answer = await service.dispatch('desk.saveSettings', input);
      expect(answer).toMatchObject({ ok: false, error: { code: 'bad_input', message: expect.stringMatching(message) } });
      expect((await ok(service, 'desk.settings')).settings).toEqual(DEFAULT_DESK_SETTINGS);
    }
    const saved = { ...wanted, scanner: { ...wanted.scanner, prefix: 'QR:' } };
    expect((await ok(service, 'desk.saveSettings', saved)).settings).toEqual(saved);

    const path = counter.replica.path;
    await counter.client.stop();
    counter.replica.close();
    const reopened = openReplica(path);
    try {
      expect((await ok(createCounterService(reopened), 'desk.settings')).settings).toEqual(saved);
    } finally {
      reopened.close();
    }
  });

  it('a locked counter answers nothing about students and takes no op; the same operator unlocks with their password', async () => {
    const counter = await world.counter('T-DORM');
    const service = createCounterService(counter.replica, { sync: counter.client });
    expect(await ok(service, 'session.lock')).toEqual({ state: 'locked', operator: { id: 'T-DORM', name: '宿管员' } });

    const closed: [string, unknown][] = [
      ['students.search', { studentNo: '2023' }],
      ['students.lookup', { text: '2023000001' }],
      ['students.detail', { studentNo: '2023000001' }],
      ['steps.apply', { studentNo: '2023000001', stepId: 'dorm-clearance', action: 'pass' }],
      ['session.get', {}],
      ['reports.slip', { studentNo: '2023000001' }],
      ['desk.saveSettings', DEFAULT_DESK_SETTINGS],
    ];
    for (const [method, input] of closed) {
      expect(OPEN_WHILE_LOCKED.has(method)).toBe(false);
      expect(await service.dispatch(method, input), method).toMatchObject({ ok: false, error: { code: 'refused', message: '柜台已锁定，请先解锁或登录' } });
    }
    expect(outboxCount(counter)).toBe(0);

    expect(await service.dispatch('session.unlock', { password: 'wrong-pass' })).toMatchObject({ ok: false, error: { code: 'unauthorized', message: expect.stringContaining('密码错误') } });
    expect(await service.dispatch('session.unlock', { password: '' })).toMatchObject({ ok: false, error: { code: 'bad_input', message: expect.stringContaining('请填写密码') } });
    expect((await ok(service, 'session.lockState')).state).toBe('locked');

    // A restart finds it locked.
    const again = createCounterService(counter.replica, { sync: counter.client });
    expect((await ok(again, 'session.lockState')).state).toBe('locked');
    expect(await ok(again, 'session.unlock', { password: PASSWORD })).toEqual({ state: 'open', operator: { id: 'T-DORM', name: '宿管员' } });
    expect(await ok(again, 'students.detail', { studentNo: '2023000001' })).toMatchObject({ student: { studentNo: '2023000001' } });
  });

  it('换人登录 opens a locked counter under the new operator; 退出登录 needs a sign-in, not the old password', async () => {
    const counter = await world.counter('T-DORM');
    const service = createCounterService(counter.replica, { sync: counter.client });
    await ok(service, 'session.lock');
    const signedIn = await ok(service, 'session.signIn', { operatorNo: 'T-STU', password: PASSWORD });
    expect(signedIn).toMatchObject({ session: { operator: { id: 'T-STU' } } });
    expect(await ok(service, 'session.lockState')).toEqual({ state: 'open', operator: { id: 'T-STU', name: '学工老师' } });

    expect(await ok(service, 'session.signOut')).toEqual({ state: 'signedOut', operator: null });
    // Locking a signed-out counter (the idle timer) keeps it signed out.
    expect(await ok(service, 'session.lock')).toEqual({ state: 'signedOut', operator: null });
    expect(await service.dispatch('session.unlock', { password: PASSWORD })).toMatchObject({ ok: false, error: { message: '已退出登录，请用工号和密码登录' } });
    expect(await service.dispatch('students.search', {})).toMatchObject({ ok: false, error: { code: 'refused' } });
    // A refused sign-in leaves it signed out.
    expect(await service.dispatch('session.signIn', { operatorNo: 'T-DORM', password: 'wrong-pass' })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect((await ok(service, 'session.lockState')).state).toBe('signedOut');
    await ok(service, 'session.signIn', { operatorNo: 'T-DORM', password: PASSWORD });
    expect(await ok(service, 'session.lockState')).toEqual({ state: 'open', operator: { id: 'T-DORM', name: '宿管员' } });
  });

  it('refuses to lock for an operator whose password this counter cannot check', async () => {
    const counter = await world.counter('T-CERT');
    const service = createCounterService(counter.replica, { sync: counter.client });
    deleteMeta(counter.replica.sqlite, 'knownOperators');
    expect(await service.dispatch('session.lock', {})).toMatchObject({ ok: false, error: { code: 'refused', message: expect.stringContaining('没有 证件老师（T-CERT）的密码记录') } });
    expect((await ok(service, 'session.lockState')).state).toBe('open');
  });
});
