import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BatchDefinitionError } from '../src-shared/domain/batch-definition';
import { AdminError } from './admin/admin-error';
import { COMMANDS, type CliOptions } from './cli/commands';
import { UsageError } from './cli/cli-error';
import { USAGE } from './cli/usage';
import { stdinPassword, type ReadPassword } from './cli/password-input';
import { textRuleMessage } from '../src-shared/contract/text-rule';
import { RosterFileError } from './roster/read-roster-file';

const DEFAULT_PORT = 8787;

function parsePositiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new UsageError(`${name} 必须是正整数，不能是 "${value}"`);
  return Number(value);
}

export async function runCli(
  argv: string[],
  print = (l: string) => console.log(l),
  printError = (l: string) => console.error(l),
  readPassword: ReadPassword = stdinPassword(),
): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          help: { type: 'boolean', short: 'h' },
          'data-dir': { type: 'string' },
          password: { type: 'string' },
          college: { type: 'string', multiple: true },
          class: { type: 'string', multiple: true },
          'skip-invalid': { type: 'boolean' },
          'all-or-nothing': { type: 'boolean' },
          reason: { type: 'string' },
          'withdraw-missing': { type: 'boolean' },
          port: { type: 'string' },
          host: { type: 'string' },
          size: { type: 'string' },
          stage: { type: 'string' },
          'tls-cert': { type: 'string' },
          'tls-key': { type: 'string' },
          'trust-proxy': { type: 'boolean' },
          out: { type: 'string' },
          from: { type: 'string' },
          authoritative: { type: 'string', multiple: true },
          hours: { type: 'string' },
        },
      });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const { values, positionals } = parsed;
    for (const value of [...positionals, ...Object.values(values).flat()]) {
      const problem = typeof value === 'string' ? textRuleMessage('命令行参数', value) : null;
      if (problem) throw new UsageError(problem);
    }
    if (values.password !== undefined) {
      throw new UsageError('不再接受 --password：命令行上的密码会留在 shell 历史和进程列表里。请去掉它，在提示时输入密码，或把密码放在文件第一行后用 < 文件 传入');
    }
    const [name, ...args] = positionals;
    if (values.help || !name) {
      print(USAGE);
      return name || values.help ? 0 : 2;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`未知命令 "${name}"`);
    if (values['skip-invalid'] && values['all-or-nothing']) throw new UsageError('--skip-invalid 与 --all-or-nothing 不能同时使用');
    const databaseUrl = process.env.DATABASE_URL;
    const options: CliOptions = {
      target: databaseUrl ? { url: databaseUrl } : { dataDir: resolve(values['data-dir'] ?? '.data/server') },
      readPassword,
      colleges: values.college ?? [],
      classes: values.class ?? [],
      skipInvalid: values['skip-invalid'] ?? false,
      reason: values.reason,
      withdrawMissing: values['withdraw-missing'] ?? false,
      port: parsePositiveInt(values.port, '--port') ?? DEFAULT_PORT,
      host: values.host ?? '0.0.0.0',
      size: parsePositiveInt(values.size, '--size'),
      stage: values.stage,
      hostGiven: values.host,
      tlsCert: values['tls-cert'],
      tlsKey: values['tls-key'],
      trustProxy: values['trust-proxy'] ?? false,
      out: values.out,
      from: values.from,
      authoritative: values.authoritative ?? [],
      hours: parsePositiveInt(values.hours, '--hours'),
    };
    await command(args, options, print);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      printError(`错误：${e.message}`);
      printError('运行 npm run admin -- --help 查看用法。');
      return 2;
    }
    if (e instanceof AdminError || e instanceof RosterFileError || e instanceof BatchDefinitionError) {
      printError(`错误：${e.message}`);
      if (e instanceof AdminError) for (const p of e.problems) printError(`  ${p}`);
      return 1;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '3D000' || code === '28P01') {
      printError(`错误：无法连接数据库（${(e as Error).message}）。请检查 DATABASE_URL。`);
      return 1;
    }
    if (code === 'EADDRINUSE') {
      printError(`错误：端口已被占用（${(e as Error).message}），请用 --port 换一个端口。`);
      return 1;
    }
    printError(`错误：${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
