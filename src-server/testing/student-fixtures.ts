import type { Op, OpKind } from '../../src-shared/contract/ops';
import { pushResponseSchema, registerDeviceResponseSchema, type PushResponse } from '../../src-shared/contract/sync';
import type { BatchDef } from '../../src-shared/domain/types';
import type { Db } from '../db/database';
import { createBatch } from '../admin/batches';
import { addOperator, grantCheckpoint } from '../admin/operators';
import { storeRoster } from '../admin/roster-store';
import type { BatchCache } from '../sync/batch-cache';
import { counterOp, idCardFor, PASSWORD, student } from './fixtures';

/**
 * A small batch for the student page: a dorm step, a library step (its checkpoint has a location
 * but no hours or phone, to show how the page says so), an optional finance step, and the
 * certificate desk gated behind everything else. One notice.
 */
export const STUDENT_BATCH: BatchDef = {
  formatVersion: 1,
  id: 'stu-2027',
  name: '2027届学生页测试批次',
  university: '湘江科技大学',
  completionRule: 'required',
  flags: [],
  notices: [{ title: '证件领取安排', date: '2027-06-20', body: '6月25日起到学院办公室领取学位证。' }],
  checkpoints: [
    {
      id: 'dorm',
      name: '宿管中心离校点',
      scope: 'school',
      location: '各宿舍区宿管值班室',
      hours: '8:00–22:00',
      phone: '0731-8800 1601',
      steps: [{ id: 'dorm-clearance', name: '清理宿舍物品', required: true, mode: 'manual', appliesTo: 'all' }],
    },
    {
      id: 'library',
      name: '图书馆离校点',
      scope: 'school',
      location: '图书馆一楼总服务台',
      steps: [{ id: 'return-books', name: '归还图书', required: true, mode: 'manual', appliesTo: 'all' }],
    },
    {
      id: 'finance',
      name: '财务处离校点',
      scope: 'school',
      steps: [{ id: 'refund-status', name: '退费状态', required: false, mode: 'manual', appliesTo: 'all' }],
    },
    {
      id: 'certificates',
      name: '学院领取证件',
      nameTemplate: '{college}领取证件',
      scope: 'college',
      location: '学院办公楼 101 室',
      hours: '6月25日起 8:30–17:30',
      phone: '0731-8800 1201',
      steps: [{ id: 'degree-cert', name: '领取学位证', required: true, mode: 'manual', appliesTo: 'all', gate: { requires: 'allOtherRequired' } }],
    },
  ],
};

export interface TestStudent {
  studentNo: string;
  name: string;
  last6: string;
}

const last6Of = (serial: number) => idCardFor(serial).slice(-6);

/** STUDENT_BATCH with students A and B of 计算机学院 and C of 机电工程学院, and T-ALL holding every checkpoint. */
export async function seedStudentWorld(db: Db, batches: BatchCache): Promise<{ batchId: string; a: TestStudent; b: TestStudent; c: TestStudent }> {
  const def = await createBatch(db, STUDENT_BATCH);
  const roster = [student('2027000001', '计算机学院'), student('2027000002', '计算机学院'), student('2027000003', '机电工程学院')];
  await storeRoster(db, batches, def.id, roster);
  await addOperator(db, 'T-ALL', '全能老师', PASSWORD);
  for (const cp of def.checkpoints) await grantCheckpoint(db, 'T-ALL', cp.id, []);
  const [a, b, c] = roster.map((s) => ({ studentNo: s.studentNo, name: s.name, last6: last6Of(Number(s.studentNo.slice(-3))) }));
  return { batchId: def.id, a: a!, b: b!, c: c! };
}

/** A counter registered with the server, pushing ops as a counter's sync client would. */
export async function registerTestCounter(serverUrl: string, batchId: string, registrationCode: string, operatorNo = 'T-ALL') {
  const res = await fetch(`${serverUrl}/api/devices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operatorNo, password: PASSWORD, name: `柜台-${operatorNo}`, batchId, registrationCode }),
  });
  if (res.status !== 201) throw new Error(`registration refused: ${res.status} ${await res.text()}`);
  const device = registerDeviceResponseSchema.parse(await res.json());
  let next = 1;
  return {
    async send(kind: OpKind, studentNo: string, stepId: string, note = '', baseVersion = 0): Promise<PushResponse> {
      const op: Op = { ...counterOp(device.deviceId, next++, operatorNo, kind, studentNo, stepId, baseVersion, note), session: device.session.token };
      const r = await fetch(`${serverUrl}/api/sync/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` },
        body: JSON.stringify({ ops: [op] }),
      });
      if (r.status !== 200) throw new Error(`push refused: ${r.status} ${await r.text()}`);
      return pushResponseSchema.parse(await r.json());
    },
  };
}
