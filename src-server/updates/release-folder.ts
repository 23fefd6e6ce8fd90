import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import semver from 'semver';
import { z } from 'zod';
import { AdminError } from '../admin/admin-error';

/**
 * electron-builder's output folder, read and checked before anything is stored: the channel
 * files (latest.yml, latest-linux.yml, latest-linux-arm64.yml, latest-mac.yml), every installer
 * they name with its size and sha512, and the installers' blockmaps (differential download).
 */

export interface ReleaseFile {
  name: string;
  path: string;
  size: number;
  /** base64, the form electron-builder writes into the channel file. */
  sha512: string;
}

export interface ReleaseFolder {
  version: string;
  /** Channel files first, then installers and blockmaps. */
  files: ReleaseFile[];
  /** Files in the folder that no channel file names (not published). */
  ignored: string[];
}

export const CHANNEL_FILE = /^latest(-[a-z0-9]+)*\.yml$/;
/** Served flat at /updates/<name>: no folders, nothing a URL would have to escape. */
const SERVED_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

const channelSchema = z.object({
  version: z.string(),
  files: z.array(z.object({ url: z.string(), sha512: z.string(), size: z.number().int().nonnegative().optional() })).min(1),
});

export function sha512Of(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha512');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('base64')));
  });
}

function parseChannel(dir: string, name: string): z.infer<typeof channelSchema> {
  let parsed: unknown;
  try {
    parsed = load(readFileSync(join(dir, name), 'utf8'));
  } catch (e) {
    throw new AdminError(`${name} 不是有效的 YAML：${(e as Error).message.split('\n')[0]}`);
  }
  const result = channelSchema.safeParse(parsed);
  if (!result.success) {
    throw new AdminError(`${name} 不是 electron-builder 生成的更新信息（需要 version 和 files 列表）：${result.error.issues.map((i) => i.path.join('.')).join('、')}`);
  }
  return result.data;
}

async function describe(dir: string, name: string): Promise<ReleaseFile> {
  const path = join(dir, name);
  return { name, path, size: statSync(path).size, sha512: await sha512Of(path) };
}

export async function readReleaseFolder(dir: string): Promise<ReleaseFolder> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new AdminError(`找不到文件夹：${dir}（应为 npm run dist 的输出文件夹 dist/）`);
  const present = readdirSync(dir).filter((n) => statSync(join(dir, n)).isFile());
  const channels = present.filter((n) => CHANNEL_FILE.test(n)).sort();
  if (channels.length === 0) throw new AdminError(`${dir} 中没有 latest*.yml 更新信息文件；请发布 npm run dist 的输出文件夹`);

  const versions = new Map<string, string>();
  const installers = new Map<string, { sha512: string; size?: number; channel: string }>();
  for (const channel of channels) {
    const info = parseChannel(dir, channel);
    versions.set(channel, info.version);
    for (const f of info.files) {
      if (!SERVED_NAME.test(f.url)) throw new AdminError(`${channel} 中的文件名 "${f.url}" 不能用于更新地址（只允许字母、数字和 . _ + -，不含文件夹）`);
      installers.set(f.url, { sha512: f.sha512, size: f.size, channel });
    }
  }
  const distinct = [...new Set(versions.values())];
  if (distinct.length > 1) {
    throw new AdminError(`各更新信息文件的版本不一致，不能作为一个版本发布：${[...versions].map(([c, v]) => `${c} ${v}`).join('，')}`);
  }
  const version = distinct[0]!;
  if (!semver.valid(version)) throw new AdminError(`版本号 "${version}" 无效（应为 1.2.3 这样的形式）`);

  const files: ReleaseFile[] = [];
  for (const channel of channels) files.push(await describe(dir, channel));
  for (const [name, expected] of installers) {
    if (!present.includes(name)) throw new AdminError(`${expected.channel} 列出的 ${name} 不在文件夹中，未发布任何内容`);
    const file = await describe(dir, name);
    if (expected.size !== undefined && file.size !== expected.size) {
      throw new AdminError(`${name} 的大小（${file.size} 字节）与 ${expected.channel} 记录的 ${expected.size} 字节不符（文件可能不完整），未发布任何内容`);
    }
    if (file.sha512 !== expected.sha512) {
      throw new AdminError(`${name} 的 sha512 与 ${expected.channel} 记录的不一致（文件不完整或被改动过），未发布任何内容`);
    }
    files.push(file);
    const blockmap = `${name}.blockmap`;
    if (present.includes(blockmap)) files.push(await describe(dir, blockmap));
  }
  const published = new Set(files.map((f) => f.name));
  return { version, files, ignored: present.filter((n) => !published.has(n)) };
}
