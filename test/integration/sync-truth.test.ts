import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { STUCK_AFTER } from '../../src-main/sync/sync-client';
import { BACKENDS } from '../../src-server/testing/throwaway-database';
import { SyncWorld, type Counter } from './sync-world';

const CS1 = '2023000001';
const CS2 = '2023000002';

/** Issue 21: the status line says 离线 only when the server cannot be reached, and names an op every push fails at. */
describe.each(BACKENDS)('what the counter says about sync, on %s', (backend) => {
  const world = new SyncWorld(backend);
  let counter: Counter;

  beforeAll(async () => {
    await world.start();
    counter = await world.counter('T-DORM');
  });
  afterAll(() => world.stop());

  const round = () => counter.client.sync().then(
    () => null,
    (e: unknown) => e,
  );

  it('says 离线 when the server cannot be reached, and nothing is stuck', async () => {
    counter.do([{ kind: 'pass', studentNo: CS1, stepId: 'dorm-clearance' }]);
    await world.relay.down();
    for (let i = 0; i < STUCK_AFTER + 1; i++) await round();
    const status = counter.client.status();
    expect(status).toMatchObject({ state: 'offline', unsent: 1, stuck: null });
    expect(status.lastError).toContain('无法连接服务器');
    await world.relay.up();
    expect(await round()).toBeNull();
    expect(counter.client.status()).toMatchObject({ state: 'online', unsent: 0, lastError: null });
  });

  it('says 服务器出错 with the server’s message when it answers with an error, and names the op after three failed pushes', async () => {
    // A server bug (an internal error, not a data error) for one op stands for any 500 the server may still have.
    await world.server.database.db.execute(sql.raw(`
      create function fail_note() returns trigger language plpgsql as $$
      begin
        if new.note = '触发故障' then raise exception 'boom' using errcode = 'XX000'; end if;
        return new;
      end $$`));
    await world.server.database.db.execute(sql.raw('create trigger fail_note before insert on ops for each row execute function fail_note()'));
    try {
      counter.do([{ kind: 'reject', studentNo: CS2, stepId: 'dorm-clearance', note: '触发故障' }]);
      counter.do([{ kind: 'revoke', studentNo: CS1, stepId: 'dorm-clearance', note: '误点' }]);
      for (let i = 1; i < STUCK_AFTER; i++) {
        await round();
        expect(counter.client.status()).toMatchObject({ state: 'error', lastError: '服务器内部错误，请稍后重试', stuck: null });
      }
      await round();
      const { stuck, state, unsent } = counter.client.status();
      expect({ state, unsent }).toEqual({ state: 'error', unsent: 2 });
      expect(stuck).toMatchObject({
        studentNo: CS2,
        studentName: '学生002',
        stepName: '清理宿舍物品',
        kind: 'reject',
        note: '触发故障',
        operatorId: 'T-DORM',
        failures: STUCK_AFTER,
        error: '服务器内部错误，请稍后重试',
      });
      expect(Date.parse(stuck!.clientTime)).not.toBeNaN();
    } finally {
      await world.server.database.db.execute(sql.raw('drop trigger fail_note on ops'));
      await world.server.database.db.execute(sql.raw('drop function fail_note()'));
    }
    // Fixed on the server: the same ops go through, none dropped or changed.
    expect(await round()).toBeNull();
    expect(counter.client.status()).toMatchObject({ state: 'online', unsent: 0, stuck: null });
    const stored = await world.serverOps(counter.deviceId);
    expect(stored.map((o) => [o.deviceSeq, o.kind, o.note])).toEqual([
      [1, 'pass', ''],
      [2, 'reject', '触发故障'],
      [3, 'revoke', '误点'],
    ]);
  });
});
