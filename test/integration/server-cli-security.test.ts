import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src-server/cli';
import { checkCredentials } from '../../src-server/auth/operators';
import { SignInLimits } from '../../src-server/auth/sign-in-limits';
import { openDatabase } from '../../src-server/db/database';

/** The admin CLI's security commands on a PGlite data directory, as an administrator runs them. */

/** The admin CLI as a real process, the password written to its standard input. */
function adminWithStdin(args: string[], stdin: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-server/cli.ts', ...args], { cwd: join(import.meta.dirname, '../..'), env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
    child.stdin.end(stdin);
  });
}

describe('npm run admin -- unlock, and passwords from standard input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-unlock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('clears every wait on the 工号 and says so', async () => {
    const dataDir = join(dir, 'server');
    const database = await openDatabase({ dataDir });
    const limits = new SignInLimits();
    for (let i = 0; i < 5; i++) await limits.failed(database.db, 'T0001', '10.0.0.8');
    expect(await limits.waitMs(database.db, 'T0001', '10.0.0.8')).toBeGreaterThan(0);
    await database.close();
    const out: string[] = [];
    expect(await runCli(['unlock', 'T0001', '--data-dir', dataDir], (l) => out.push(l))).toBe(0);
    expect(out).toEqual(['已清除工号 T0001 的密码错误记录，可以立即登录。']);
    expect(await runCli(['unlock', 'T0001', '--data-dir', dataDir], (l) => out.push(l))).toBe(0);
    expect(out[1]).toBe('工号 T0001 没有需要等待的密码错误记录。');
  }, 180_000);

  // Each CLI run opens the PGlite directory and a child process starts tsx: slow by nature, hence the longer timeouts.
  it('add-operator reads the password from standard input (its first line), never from argv', async () => {
    const dataDir = join(dir, 'server');
    const added = await adminWithStdin(['add-operator', 'T0001', '王老师', '--data-dir', dataDir], 'from-stdin-1\nignored\n');
    expect(added).toMatchObject({ code: 0, out: expect.stringContaining('已添加操作员 T0001') });
    expect(added.out).not.toContain('from-stdin-1');
    const check = await openDatabase({ dataDir });
    try {
      expect(await checkCredentials(check.db, 'T0001', 'from-stdin-1')).toMatchObject({ operatorNo: 'T0001' });
    } finally {
      await check.close();
    }
    expect(await adminWithStdin(['add-operator', 'T0002', '李老师', '--data-dir', dataDir], '')).toMatchObject({ code: 2, out: expect.stringContaining('标准输入中没有密码') });
  }, 180_000);
});
