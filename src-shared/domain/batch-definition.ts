import { z } from 'zod';
import type { BatchDef } from './types';

const id = z
  .string({ error: '必须是文字' })
  .regex(/^[a-z0-9][a-z0-9-]*$/, { error: '只能用小写字母、数字和连字符，如 "return-books"' });
const text = z.string({ error: '必须是文字' }).trim().min(1, { error: '不能为空' });

const gateSchema = z.union(
  [
    z.object({ requires: z.literal('allOtherRequired') }).strict(),
    z.object({ requires: z.array(id, { error: '必须是环节编号的列表' }).min(1, { error: '至少列出一个环节' }) }).strict(),
  ],
  { error: 'gate 必须是 {"requires": ["环节编号", ...]} 或 {"requires": "allOtherRequired"}' },
);

const stepSchema = z
  .object({
    id,
    name: text,
    required: z.boolean({ error: '必须是 true 或 false' }),
    mode: z.enum(['manual', 'auto'], { error: '必须是 "manual"（柜台办理）或 "auto"（其他系统写入）' }),
    appliesTo: z.union([z.literal('all'), z.object({ flag: text }).strict()], {
      error: '必须是 "all" 或 {"flag": "花名册标记列"}',
    }),
    gate: gateSchema.optional(),
  })
  .strict();

const checkpointSchema = z
  .object({
    id,
    name: text,
    nameTemplate: text.optional(),
    scope: z.enum(['school', 'college'], { error: '必须是 "school"（全校）或 "college"（学院）' }),
    location: text.optional(),
    hours: text.optional(),
    phone: text.optional(),
    steps: z.array(stepSchema, { error: '必须是环节列表' }).min(1, { error: '至少要有一个环节' }),
  })
  .strict();

export const batchDefinitionSchema = z
  .object({
    formatVersion: z.literal(1, { error: '只支持 formatVersion 1' }),
    id,
    name: text,
    university: text,
    completionRule: z.enum(['required', 'all'], { error: '必须是 "required"（办结必办）或 "all"（办结全部）' }),
    flags: z.array(z.object({ key: text, label: text }).strict(), { error: '必须是标记列列表' }),
    checkpoints: z.array(checkpointSchema, { error: '必须是离校点列表' }).min(1, { error: '至少要有一个离校点' }),
    notices: z.array(z.object({ title: text, body: text, date: text.optional() }).strict(), { error: '必须是通知列表' }).optional(),
  })
  .strict()
  .superRefine((def, ctx) => {
    const stepPath = new Map<string, (string | number)[]>();
    const required = new Map<string, boolean>();
    const flagKeys = new Set(def.flags.map((f) => f.key));
    const cpIds = new Set<string>();
    def.checkpoints.forEach((cp, ci) => {
      if (cpIds.has(cp.id)) ctx.addIssue({ code: 'custom', path: ['checkpoints', ci, 'id'], message: `离校点编号 "${cp.id}" 重复` });
      cpIds.add(cp.id);
      cp.steps.forEach((s, si) => {
        const path = ['checkpoints', ci, 'steps', si];
        if (stepPath.has(s.id)) ctx.addIssue({ code: 'custom', path: [...path, 'id'], message: `环节编号 "${s.id}" 重复` });
        stepPath.set(s.id, path);
        required.set(s.id, s.required);
        if (s.appliesTo !== 'all' && !flagKeys.has(s.appliesTo.flag)) {
          ctx.addIssue({ code: 'custom', path: [...path, 'appliesTo', 'flag'], message: `标记列 "${s.appliesTo.flag}" 没有在 flags 中定义` });
        }
      });
    });
    const edges = new Map<string, string[]>();
    // allOtherRequired waits on the same steps as prerequisiteIds in gate.ts; a step that
    // explicitly requires a certificate step would otherwise deadlock unnoticed.
    const allOtherPrereqs = (cpId: string) =>
      def.checkpoints
        .filter((other) => other.id !== cpId)
        .flatMap((other) => other.steps.filter((s) => s.required && s.gate?.requires !== 'allOtherRequired').map((s) => s.id));
    def.checkpoints.forEach((cp, ci) =>
      cp.steps.forEach((s, si) => {
        if (!s.gate) return;
        if (s.gate.requires === 'allOtherRequired') {
          edges.set(s.id, allOtherPrereqs(cp.id));
          return;
        }
        // A step naming itself is reported once below, not again as a one-step cycle.
        edges.set(s.id, s.gate.requires.filter((r) => r !== s.id));
        s.gate.requires.forEach((r, ri) => {
          const path = ['checkpoints', ci, 'steps', si, 'gate', 'requires', ri];
          if (r === s.id) ctx.addIssue({ code: 'custom', path, message: '环节不能以自己为前提' });
          else if (!stepPath.has(r)) ctx.addIssue({ code: 'custom', path, message: `前提环节 "${r}" 不存在` });
          else if (required.get(r) === false) ctx.addIssue({ code: 'custom', path, message: `前提环节 "${r}" 是可办可不办的环节，不能作为前提` });
        });
      }),
    );
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (node: string, trail: string[]): void => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'visiting') {
        const path = stepPath.get(node) ?? [];
        ctx.addIssue({ code: 'custom', path: [...path, 'gate'], message: `前提条件形成循环: ${[...trail, node].join(' → ')}` });
        return;
      }
      state.set(node, 'visiting');
      for (const next of edges.get(node) ?? []) if (stepPath.has(next)) visit(next, [...trail, node]);
      state.set(node, 'done');
    };
    for (const node of edges.keys()) visit(node, []);
  });

const PATH_LABELS: Record<string, string> = {
  checkpoints: '离校点',
  steps: '环节',
  flags: '标记列',
  requires: '前提环节',
  gate: 'gate',
  notices: '通知',
};

/** "checkpoints[2].steps[0].name" spelled for people: "离校点第3项 → 环节第1项 → name". */
export function describePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '批次定义';
  const parts: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const next = path[i + 1];
    if (typeof key === 'string' && typeof next === 'number') {
      parts.push(`${PATH_LABELS[key] ?? key}第${next + 1}项`);
      i++;
    } else parts.push(String(key));
  }
  return parts.join(' → ');
}

export class BatchDefinitionError extends Error {
  constructor(readonly problems: string[]) {
    super(`批次定义有误:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'BatchDefinitionError';
  }
}

const TYPE_NAMES: Record<string, string> = {
  object: '对象 {...}',
  array: '列表 [...]',
  string: '文字',
  boolean: 'true 或 false',
  number: '数字',
};

/** Chinese wording for the issues the schema does not word itself: unknown keys, a wrong type. */
function issueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'unrecognized_keys') return `不认识的字段 ${issue.keys.map((k) => `"${k}"`).join('、')}（字段名区分大小写）`;
  if (issue.code === 'invalid_type') return `必须是${TYPE_NAMES[issue.expected] ?? issue.expected}`;
  return undefined;
}

export function parseBatchDefinition(input: unknown): BatchDef {
  const result = batchDefinitionSchema.safeParse(input, { error: issueMessage });
  if (result.success) return result.data as BatchDef;
  throw new BatchDefinitionError(result.error.issues.map((i) => `${describePath(i.path)}: ${i.message}`));
}

export function parseBatchDefinitionText(text: string): BatchDef {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BatchDefinitionError([`不是有效的 JSON: ${jsonErrorLocation(text, (e as Error).message)}`]);
  }
  return parseBatchDefinition(json);
}

/** The engine reports a character offset in English; people editing the file need a line and column. */
function jsonErrorLocation(text: string, message: string): string {
  if (text.trim() === '') return '内容是空的';
  const position = /position (\d+)/.exec(message)?.[1];
  if (position === undefined) return '内容不完整或有语法错误';
  const before = text.slice(0, Number(position)).split('\n');
  return `第 ${before.length} 行第 ${(before.at(-1)?.length ?? 0) + 1} 列附近有语法错误`;
}
