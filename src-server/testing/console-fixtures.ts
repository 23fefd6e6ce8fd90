import type { Db } from '../db/database';
import { addOperator } from '../admin/operators';
import { storeRoster } from '../admin/roster-store';
import { setConsoleRole } from '../console-auth/accounts';
import type { BatchCache } from '../sync/batch-cache';
import { idCardFor, PASSWORD, seedSmallWorld, student } from './fixtures';

/** Console accounts beside the small world's operators, all with password PASSWORD. */
export const CONSOLE_ACCOUNTS = {
  admin: 'C-ADMIN',
  schoolLeader: 'C-LEAD',
  collegeLeader: 'C-LEAD-CS',
  classLeader: 'C-LEAD-CLS',
  /** A plain counter operator of the small world. */
  operator: 'T-DORM',
} as const;

export const CS_CLASSES = ['计算机学院1班', '计算机学院2班'] as const;

/**
 * seedSmallWorld plus `extra` students (学号 2023100000…) over two 计算机学院 classes and one
 * 机电工程学院 class, some 往届, and the console accounts: an admin and three 领导查询 (whole
 * school, 计算机学院, class 计算机学院2班).
 */
export async function seedConsoleWorld(db: Db, batches: BatchCache, extra = 40): Promise<{ batchId: string }> {
  const seeded = await seedSmallWorld(db, batches);
  const roster = Array.from({ length: extra }, (_, i) => {
    const no = `20231${String(i).padStart(5, '0')}`;
    const college = i % 3 === 2 ? '机电工程学院' : '计算机学院';
    const className = college === '计算机学院' ? CS_CLASSES[i % 2]! : '机电工程学院1班';
    return student(no, college, { className, isPrevious: i % 7 === 0, flags: { 党团员: i % 4 === 0 }, idCard: idCardFor(100 + i) });
  });
  await storeRoster(db, batches, seeded.batchId, roster);
  await addOperator(db, CONSOLE_ACCOUNTS.admin, '离校办管理员', PASSWORD);
  await setConsoleRole(db, CONSOLE_ACCOUNTS.admin, 'admin');
  await addOperator(db, CONSOLE_ACCOUNTS.schoolLeader, '校领导', PASSWORD);
  await setConsoleRole(db, CONSOLE_ACCOUNTS.schoolLeader, 'leader', { kind: 'school' });
  await addOperator(db, CONSOLE_ACCOUNTS.collegeLeader, '计算机学院副书记', PASSWORD);
  await setConsoleRole(db, CONSOLE_ACCOUNTS.collegeLeader, 'leader', { kind: 'colleges', colleges: ['计算机学院'] });
  await addOperator(db, CONSOLE_ACCOUNTS.classLeader, '班主任', PASSWORD);
  await setConsoleRole(db, CONSOLE_ACCOUNTS.classLeader, 'leader', { kind: 'classes', classes: [{ college: '计算机学院', className: CS_CLASSES[1] }] });
  return seeded;
}
