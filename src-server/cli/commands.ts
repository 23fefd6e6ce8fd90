import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDatabase, type Database, type DatabaseTarget } from '../db/database';
import { AdminError } from '../admin/admin-error';
import { createBatch, requireBatch } from '../admin/batches';
import { createApiKey, listDevices, listRejectedOps, revokeApiKey, revokeDevice } from '../admin/devices';
import { addOperator, grantCheckpoint } from '../admin/operators';
import { MIN_PASSWORD_LENGTH } from '../../src-shared/contract/console-api';
import { setConsoleRole } from '../console-auth/accounts';
import type { ClassRef, LeaderScope } from '../../src-shared/domain/console-roles';
import { textRuleMessage } from '../../src-shared/contract/text-rule';
import type { ReadPassword } from './password-input';
import { storeRoster, type StoredRoster } from '../admin/roster-store';
import { changeStandingOf, cliActor, withdrawalReason } from '../admin/roster-withdrawal';
import { DEMO_PASSWORD, DEMO_SIZE, seedDemo } from '../demo/seed-demo';
import { readRosterFile } from '../roster/read-roster-file';
import { importVerdict } from '../roster/import-verdict';
import { writeRosterTemplate } from '../roster/write-roster-template';
import { startServer } from '../serve';
import { BatchCache } from '../sync/batch-cache';
import { restoreBackup, writeBackup } from '../admin/backup';
import { importRescueFile } from '../admin/rescue-import';
import { formatTime, printRestoreLosses } from '../admin/restore-report';
import { reportZhCN } from '../../src-shared/i18n/report.zh-CN';
import { UsageError } from './cli-error';
import { readReleaseFolder } from '../updates/release-folder';
import { listReleases, parseStagingPercentage, publishRelease, stageRelease, withdrawRelease } from '../updates/release-store';
import { clearSignInFailures } from '../auth/sign-in-limits';
import { DEFAULT_CODE_HOURS, MAX_CODE_HOURS, issueRegistrationCode } from '../auth/registration-codes';
import { certificateFingerprint, readTlsFiles, writeSelfSigned } from '../tls/certificates';

function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export interface CliOptions {
  target: DatabaseTarget;
  readPassword: ReadPassword;
  colleges: string[];
  /** --class 学院/班级, for console-role leader. */
  classes: string[];
  skipInvalid: boolean;
  reason?: string;
  withdrawMissing: boolean;
  port: number;
  host: string;
  size?: number;
  /** --stage: the percentage of counters a new release is offered to. */
  stage?: string;
  /** --host as typed (tls-self-signed needs it; serve falls back to 0.0.0.0). */
  hostGiven?: string;
  tlsCert?: string;
  tlsKey?: string;
  trustProxy: boolean;
  out?: string;
  from?: string;
  /** api-key create: the steps whose full list may revoke the key's own passes. */
  authoritative: string[];
  /** registration-code: how long the code stays valid. */
  hours?: number;
}

/** Where tls-self-signed writes and tls-fingerprint reads when no path is given. */
const DEFAULT_TLS_DIR = '.data/tls';

export type Print = (line: string) => void;

type Command = (args: string[], options: CliOptions, print: Print) => Promise<void>;

function expectArgs(args: string[], count: number, usage: string): void {
  if (args.length !== count) throw new UsageError(`参数个数不对。用法：${usage}`);
}

async function withDatabase<T>(options: CliOptions, run: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(options.target);
  try {
    return await run(database);
  } finally {
    await database.close();
  }
}

/** Enough of a long list to act on; the count says how many more there are. */
const LIST_SHOWN = 50;

function printMissing(stored: StoredRoster, batchId: string, print: Print): void {
  const { missing, withdrawn } = stored;
  if (missing.length === 0) return;
  print(
    withdrawn.length > 0
      ? `花名册中没有以下 ${missing.length} 名学生，已按确认将其退出本批次：`
      : `花名册中没有以下 ${missing.length} 名学生（仍在批次 ${batchId} 中，未做改动）：`,
  );
  for (const s of missing.slice(0, LIST_SHOWN)) print(`  ${s.studentNo}  ${s.name}  ${s.college}`);
  if (missing.length > LIST_SHOWN) print(`  …… 另有 ${missing.length - LIST_SHOWN} 名`);
  if (withdrawn.length === 0) print('如确认他们退出本批次（延期毕业、结业、退学等），请加 --withdraw-missing --reason <原因> 重新导入。');
}

function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new AdminError(`无法读取文件：${path}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AdminError(`${path} 不是有效的 JSON：${(e as Error).message}`);
  }
}

export const COMMANDS: Record<string, Command> = {
  init: async (args, options, print) => {
    expectArgs(args, 0, 'init');
    await withDatabase(options, async () => print('数据库已就绪（结构已是最新）。'));
  },

  'create-batch': async (args, options, print) => {
    expectArgs(args, 1, 'create-batch <定义.json>');
    const definition = readJsonFile(args[0]!);
    const def = await withDatabase(options, (d) => createBatch(d.db, definition));
    const steps = def.checkpoints.reduce((n, c) => n + c.steps.length, 0);
    print(`已创建批次 ${def.id}「${def.name}」：${def.checkpoints.length} 个离校点，${steps} 个环节，${def.flags.length} 个标记列。`);
  },

  'roster-template': async (args, options, print) => {
    expectArgs(args, 2, 'roster-template <批次> <输出.xlsx>');
    const [batchId, out] = args as [string, string];
    const batch = await withDatabase(options, (d) => requireBatch(d.db, batchId));
    await writeRosterTemplate(batch.definition, out);
    print(`已生成花名册模板：${out}`);
  },

  'import-roster': async (args, options, print) => {
    expectArgs(args, 2, 'import-roster <批次> <花名册.xlsx> [--skip-invalid] [--withdraw-missing --reason <原因>]');
    const [batchId, file] = args as [string, string];
    if (options.withdrawMissing && options.skipInvalid) {
      throw new UsageError('--withdraw-missing 需要整份花名册都正确，不能与 --skip-invalid 同时使用（有误的行会被当作缺少的学生）');
    }
    if (!options.withdrawMissing && options.reason !== undefined) throw new UsageError('--reason 只能与 --withdraw-missing 一起使用');
    const withdrawMissing = options.withdrawMissing ? withdrawalReason(options.reason) : undefined;
    await withDatabase(options, async (d) => {
      const batch = await requireBatch(d.db, batchId);
      const roster = await readRosterFile(file, batch.definition);
      const verdict = importVerdict(roster, { skipInvalid: options.skipInvalid, withdrawMissing: false });
      if (verdict.kind === 'header') throw new AdminError('花名册的表头有误，未导入任何数据：', verdict.problems);
      if (verdict.kind === 'rows') {
        throw new AdminError(`花名册有 ${verdict.problems.length} 行有误，未导入任何数据（改正后重新导入，或加 --skip-invalid 只导入正确的行）：`, verdict.problems);
      }
      const problems = verdict.kind === 'ok' ? verdict.skipped : [];
      const stored = await storeRoster(d.db, new BatchCache(), batchId, roster.students, [], { by: cliActor(), withdrawMissing });
      print(`已导入 ${stored.students} 名学生到批次 ${batchId}。`);
      if (stored.moved.length > 0) print(`其中 ${stored.moved.length} 名学生的学院有变动，已同步给各柜台：${stored.moved.join('、')}`);
      printMissing(stored, batchId, print);
      if (problems.length > 0) {
        print(`以下 ${problems.length} 行有误，未导入：`);
        for (const p of problems) print(`  ${p}`);
      }
    });
  },

  'roster-withdraw': async (args, options, print) => {
    const [batchId, ...studentNos] = args;
    if (!batchId || studentNos.length === 0) throw new UsageError('用法：roster-withdraw <批次> <学号>... --reason <原因>');
    const reason = withdrawalReason(options.reason);
    const result = await withDatabase(options, async (d) => {
      await requireBatch(d.db, batchId);
      return changeStandingOf(d.db, batchId, studentNos, { kind: 'withdraw', reason }, cliActor());
    });
    if (result.changed.length > 0) print(`已将 ${result.changed.length} 名学生退出批次 ${batchId}（${reason}）：${result.changed.join('、')}；各柜台下次同步后不再办理、不再统计。`);
    if (result.unchanged.length > 0) print(`以下学生此前已退出本批次，未做改动：${result.unchanged.join('、')}`);
  },

  'roster-restore': async (args, options, print) => {
    const [batchId, ...studentNos] = args;
    if (!batchId || studentNos.length === 0) throw new UsageError('用法：roster-restore <批次> <学号>...');
    const result = await withDatabase(options, async (d) => {
      await requireBatch(d.db, batchId);
      return changeStandingOf(d.db, batchId, studentNos, { kind: 'restore' }, cliActor());
    });
    if (result.changed.length > 0) print(`已将 ${result.changed.length} 名学生恢复到批次 ${batchId}：${result.changed.join('、')}；各柜台下次同步后可继续办理。`);
    if (result.unchanged.length > 0) print(`以下学生没有退出本批次，未做改动：${result.unchanged.join('、')}`);
  },

  'add-operator': async (args, options, print) => {
    expectArgs(args, 2, 'add-operator <工号> <姓名>（密码在提示时输入，或从标准输入读第一行）');
    const [no, name] = args as [string, string];
    const password = await options.readPassword(`工号 ${no} 的密码（至少 ${MIN_PASSWORD_LENGTH} 位，输入时不显示）：`);
    const problem = textRuleMessage('密码', password);
    if (problem) throw new UsageError(problem);
    const result = await withDatabase(options, (d) => addOperator(d.db, no, name, password));
    print(result === 'added' ? `已添加操作员 ${no}（${name}）。` : `已更新操作员 ${no}（${name}）的姓名和密码。`);
  },

  'registration-code': async (args, options, print) => {
    expectArgs(args, 0, 'registration-code [--hours <小时>]');
    const hours = options.hours ?? DEFAULT_CODE_HOURS;
    if (hours > MAX_CODE_HOURS) throw new UsageError(`--hours 最多 ${MAX_CODE_HOURS}（两周）：注册码用于近期安装柜台，不宜长期有效`);
    const { code, expiresAt } = await withDatabase(options, (d) => issueRegistrationCode(d.db, hours));
    print(`柜台注册码：${code}`);
    print(`一次有效：登记一台柜台后即作废；${formatTime(expiresAt)} 前有效。请当面或电话读给安装柜台的人员，不要转发。`);
  },

  unlock: async (args, options, print) => {
    expectArgs(args, 1, 'unlock <工号>');
    const cleared = await withDatabase(options, (d) => clearSignInFailures(d.db, args[0]!));
    print(cleared > 0 ? `已清除工号 ${args[0]} 的密码错误记录，可以立即登录。` : `工号 ${args[0]} 没有需要等待的密码错误记录。`);
  },

  grant: async (args, options, print) => {
    expectArgs(args, 2, 'grant <工号> <离校点> [--college <学院>]...');
    const [no, checkpoint] = args as [string, string];
    const colleges = await withDatabase(options, (d) => grantCheckpoint(d.db, no, checkpoint, options.colleges));
    print(`已授予 ${no} 离校点 ${checkpoint} 的权限（${colleges === 'all' ? '全部学院' : colleges.join('、')}）。`);
  },

  'console-role': async (args, options, print) => {
    expectArgs(args, 2, 'console-role <工号> admin|leader|operator [--college <学院>]... [--class <学院/班级>]...');
    const [no, role] = args as [string, string];
    if (role !== 'admin' && role !== 'leader' && role !== 'operator') throw new UsageError(`角色 "${role}" 无效：应为 admin（管理员）、leader（领导查询）或 operator（操作员）`);
    if (role !== 'leader' && (options.colleges.length > 0 || options.classes.length > 0)) throw new UsageError('--college 和 --class 只用于 leader（领导查询）');
    if (options.colleges.length > 0 && options.classes.length > 0) throw new UsageError('--college 与 --class 不能同时使用');
    const classes: ClassRef[] = options.classes.map((text) => {
      const [college, className, ...rest] = text.split('/');
      if (!college || !className || rest.length > 0) throw new UsageError(`--class "${text}" 格式不对，应为 学院/班级，例如 计算机学院/计科2101`);
      return { college, className };
    });
    const scope: LeaderScope =
      classes.length > 0 ? { kind: 'classes', classes } : options.colleges.length > 0 ? { kind: 'colleges', colleges: options.colleges } : { kind: 'school' };
    await withDatabase(options, (d) => setConsoleRole(d.db, no, role, scope));
    const scopeText = scope.kind === 'school' ? '全校' : scope.kind === 'colleges' ? scope.colleges.join('、') : classes.map((c) => `${c.college}${c.className}`).join('、');
    print(role === 'leader' ? `${no} 现为领导查询账号（范围：${scopeText}）。` : role === 'admin' ? `${no} 现为管理员。` : `${no} 现为普通操作员（控制台中只能修改本人密码）。`);
  },

  devices: async (args, options, print) => {
    const [sub, ...rest] = args;
    if (sub === 'list') {
      expectArgs(rest, 0, 'devices list');
      const list = await withDatabase(options, (d) => listDevices(d.db));
      if (list.length === 0) return print('还没有登记任何柜台。');
      for (const dev of list) {
        const state = dev.revoked ? '已停用' : '使用中';
        print(`${dev.id}  ${dev.name}  批次 ${dev.batchId}  登记人 ${dev.registeredBy}  已上传 ${dev.lastSeq} 个操作  最近同步 ${dev.lastSeenAt ?? '从未'}  ${state}`);
      }
      return;
    }
    if (sub === 'revoke') {
      expectArgs(rest, 1, 'devices revoke <设备编号>');
      await withDatabase(options, (d) => revokeDevice(d.db, rest[0]!));
      return print(`已停用柜台 ${rest[0]}，其令牌立即失效。`);
    }
    if (sub === 'rejected') {
      if (rest.length > 1) throw new UsageError('参数个数不对。用法：devices rejected [<设备编号>]');
      const list = await withDatabase(options, (d) => listRejectedOps(d.db, rest[0], LIST_SHOWN));
      if (list.length === 0) return print(rest[0] ? `柜台 ${rest[0]} 没有被拒绝的操作。` : '没有被拒绝的柜台操作。');
      print(`最近 ${list.length} 个被拒绝的柜台操作（新的在前；操作都保留在服务器的操作记录中）：`);
      for (const op of list) {
        const signIn = op.signIn === 'session' ? '联网登录' : op.signIn === 'offline' ? '离线登录' : '未记录';
        print(`${formatTime(op.receivedAt)}  ${op.deviceName}（${op.deviceId}）#${op.deviceSeq}  操作员 ${op.operatorId}（${signIn}）  ${reportZhCN.action[op.kind]} ${op.studentNo} ${op.stepId}`);
        print(`    原因：${op.reason ?? ''}`);
      }
      return;
    }
    throw new UsageError('用法：devices list | devices revoke <设备编号> | devices rejected [<设备编号>]');
  },

  'api-key': async (args, options, print) => {
    const [sub, id, name, batchId, ...steps] = args;
    if (sub === 'revoke' && id && args.length === 2) {
      await withDatabase(options, (d) => revokeApiKey(d.db, id));
      return print(`已停用接口密钥 ${id}。`);
    }
    if (sub !== 'create' || !id || !name || !batchId || steps.length === 0) {
      throw new UsageError('用法：api-key create <编号> <名称> <批次> <环节>... [--authoritative <环节>]... | api-key revoke <编号>');
    }
    const key = await withDatabase(options, (d) => createApiKey(d.db, id, name, batchId, steps, options.authoritative));
    print(`已创建接口密钥 ${id}（${name}），可写入环节：${steps.join('、')}`);
    if (options.authoritative.length > 0) print(`以下环节的完整名单可撤销本系统做过、名单中已没有的通过：${options.authoritative.join('、')}`);
    print(`密钥（只显示这一次，请妥善保存）：${key}`);
  },

  'publish-update': async (args, options, print) => {
    expectArgs(args, 1, 'publish-update <文件夹> [--stage <百分比>]');
    const stage = options.stage === undefined ? 100 : parseStagingPercentage(options.stage);
    const folder = await readReleaseFolder(args[0]!);
    await withDatabase(options, (d) => publishRelease(d.db, folder, stage));
    const bytes = folder.files.reduce((n, f) => n + f.size, 0);
    print(`已发布版本 ${folder.version}：${folder.files.length} 个文件，共 ${(bytes / 1024 / 1024).toFixed(1)} MB。`);
    for (const f of folder.files) print(`  ${f.name}`);
    print(stage < 100 ? `先推送给约 ${stage}% 的柜台；用 updates stage ${folder.version} 100 推送给全部柜台。` : '各柜台下次检查更新时（启动时及每隔几小时）在后台下载。');
    if (folder.ignored.length > 0) print(`未发布（更新信息中没有列出）：${folder.ignored.join('、')}`);
  },

  updates: async (args, options, print) => {
    const [sub, ...rest] = args;
    if (sub === 'list') {
      expectArgs(rest, 0, 'updates list');
      const releases = await withDatabase(options, (d) => listReleases(d.db));
      if (releases.length === 0) return print('还没有发布任何版本。');
      for (const r of releases) {
        const state = r.withdrawnAt ? `已撤回（${r.withdrawnAt}）` : r.stagingPercentage < 100 ? `推送给约 ${r.stagingPercentage}% 的柜台` : '推送给全部柜台';
        print(`${r.version}  发布于 ${r.publishedAt}  ${state}`);
        for (const f of r.files) print(`  ${f.name}  ${(f.size / 1024 / 1024).toFixed(1)} MB`);
      }
      return;
    }
    if (sub === 'withdraw') {
      expectArgs(rest, 1, 'updates withdraw <版本>');
      await withDatabase(options, (d) => withdrawRelease(d.db, rest[0]!));
      return print(`已撤回版本 ${rest[0]}：柜台不再下载它。已装上它的柜台不会降级，请发布更高的修正版本。`);
    }
    if (sub === 'stage') {
      expectArgs(rest, 2, 'updates stage <版本> <百分比>');
      const percentage = parseStagingPercentage(rest[1]!);
      await withDatabase(options, (d) => stageRelease(d.db, rest[0]!, percentage));
      return print(`版本 ${rest[0]} 现推送给${percentage === 100 ? '全部柜台' : `约 ${percentage}% 的柜台`}。`);
    }
    throw new UsageError('用法：updates list | updates withdraw <版本> | updates stage <版本> <百分比>');
  },

  'seed-demo': async (args, options, print) => {
    expectArgs(args, 0, 'seed-demo [--size <人数>]');
    const result = await withDatabase(options, (d) => seedDemo(d.db, options.size ?? DEMO_SIZE));
    if (!result.created) return print(`演示批次 ${result.batch.id} 已存在，未做改动。`);
    print(`已创建演示批次 ${result.batch.id}「${result.batch.name}」，${result.students} 名学生。`);
    print(`演示操作员（密码均为 ${DEMO_PASSWORD}）：`);
    for (const op of result.operators) {
      const grants = op.grants.map((g) => (g.colleges.length > 0 ? `${g.checkpointId}(${g.colleges.join('、')})` : g.checkpointId));
      print(`  ${op.operatorNo}  ${op.name}  ${grants.join(' ')}`);
    }
    for (const k of result.apiKeys) print(`接口密钥 ${k.id}：${k.key}`);
  },

  backup: async (args, options, print) => {
    expectArgs(args, 0, 'backup --out <文件.ndjson.gz>');
    if (!options.out) throw new UsageError('请用 --out <文件> 指定备份文件');
    const { rows, takenAt } = await withDatabase(options, (d) => writeBackup(d.db, options.out!));
    print(`已备份 ${rows} 行数据到 ${options.out}（备份时间 ${formatTime(takenAt)}）。`);
  },

  restore: async (args, options, print) => {
    expectArgs(args, 0, 'restore --from <文件.ndjson.gz>');
    if (!options.from) throw new UsageError('请用 --from <文件> 指定备份文件');
    const result = await withDatabase(options, (d) => restoreBackup(d.db, options.from!));
    print(`已从 ${formatTime(result.takenAt)} 的备份恢复 ${result.rows} 行数据，新的历史编号 ${result.history}。`);
    print('各柜台下次同步时会自动重新下载数据并重发服务器缺少的本机操作；丢失的其他记录请运行 restore-losses 查看。');
  },

  'import-rescue': async (args, options, print) => {
    expectArgs(args, 1, 'import-rescue <救援文件.json>');
    await withDatabase(options, (d) => importRescueFile(d.db, resolve(args[0]!), print));
  },

  'restore-losses': async (args, options, print) => {
    expectArgs(args, 0, 'restore-losses');
    await withDatabase(options, (d) => printRestoreLosses(d.db, print));
  },

  'tls-self-signed': async (args, options, print) => {
    expectArgs(args, 0, 'tls-self-signed --host <IP 或主机名> [--out <目录>]');
    if (!options.hostGiven) throw new UsageError('请用 --host 指定柜台连接服务器用的 IP 地址或主机名，例如 --host 10.0.0.5');
    const made = await writeSelfSigned(options.hostGiven, resolve(options.out ?? DEFAULT_TLS_DIR));
    print(`已生成证书 ${made.certPath}`);
    print(`已生成私钥 ${made.keyPath}（只有运行服务器的账户可读，请勿外传）`);
    print(`证书 SHA-256 指纹：${made.fingerprint}`);
    print(`启动：npm run server -- --tls-cert ${made.certPath} --tls-key ${made.keyPath}`);
    print('各柜台设置时会显示这个指纹，请逐组读给柜台人员核对。');
  },

  'tls-fingerprint': async (args, options, print) => {
    expectArgs(args, 0, 'tls-fingerprint [--tls-cert <证书.pem>]');
    const path = resolve(options.tlsCert ?? join(DEFAULT_TLS_DIR, 'server-cert.pem'));
    const { fingerprint, subjectAltName, validTo } = certificateFingerprint(path);
    print(`证书 ${path}`);
    print(`适用地址：${subjectAltName || '（证书没有写明地址，柜台会拒绝连接）'}；有效期至 ${validTo}`);
    print(`SHA-256 指纹：${fingerprint}`);
  },

  serve: async (args, options, print) => {
    expectArgs(args, 0, 'serve [--port <端口>] [--host <地址>] [--tls-cert <证书.pem> --tls-key <私钥.pem>] [--trust-proxy]');
    if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) throw new UsageError('--tls-cert 和 --tls-key 要一起给出');
    const tls = options.tlsCert && options.tlsKey ? readTlsFiles(resolve(options.tlsCert), resolve(options.tlsKey)) : undefined;
    const server = await startServer(options.target, { host: options.host, port: options.port, trustProxy: options.trustProxy, ...(tls ? { tls } : {}) });
    print(`服务器已启动：${server.url}`);
    if (!tls && !isLoopbackAddress(options.host)) {
      print(
        `注意：服务器以未加密的 HTTP 监听 ${options.host}。柜台只会用 https:// 连接其他机器上的服务器；` +
          '请加 --tls-cert/--tls-key，或放在 nginx 之后并改为 --host 127.0.0.1 --trust-proxy（见 docs/security.md）。',
      );
    }
    const stop = () => {
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await new Promise<never>(() => {});
  },
};
