import { z } from 'zod';

/**
 * The one rule for text a person or another system hands us (notes, names, 学号, 工号, counter
 * names, list cells, CLI arguments). PostgreSQL refuses NUL in text and lone surrogates in JSON,
 * so such a character would make an op the server can never store; other control characters are
 * invisible on screen and in print. Tab and newline stay: notes and pasted cells carry them.
 *
 * Messages are Chinese, built from the field's label the caller passes, like every contract here.
 */

export type TextProblem =
  | { kind: 'control'; position: number; codePoint: number }
  | { kind: 'surrogate'; position: number };

const ALLOWED_CONTROLS = new Set([0x09, 0x0a]);

function isControl(cp: number): boolean {
  return (cp < 0x20 && !ALLOWED_CONTROLS.has(cp)) || (cp >= 0x7f && cp <= 0x9f);
}

const isSurrogate = (cp: number) => cp >= 0xd800 && cp <= 0xdfff;

/** The first character breaking the rule; `position` counts whole characters from 1. */
export function textProblem(value: string): TextProblem | null {
  let position = 0;
  // for…of walks code points: a paired surrogate arrives whole, a lone one on its own.
  for (const ch of value) {
    position += 1;
    const cp = ch.codePointAt(0)!;
    if (isSurrogate(cp)) return { kind: 'surrogate', position };
    if (isControl(cp)) return { kind: 'control', position, codePoint: cp };
  }
  return null;
}

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

export function textProblemMessage(field: string, problem: TextProblem): string {
  return problem.kind === 'control'
    ? `${field}含有不可见的控制字符（第 ${problem.position} 个字符，${hex(problem.codePoint)}），请删除后重新输入`
    : `${field}含有残缺的字符（第 ${problem.position} 个字符，可能是半个表情符号），请删除后重新输入`;
}

/** Null when the value keeps the rule, else the Chinese message naming the field. */
export function textRuleMessage(field: string, value: string): string | null {
  const problem = textProblem(value);
  return problem ? textProblemMessage(field, problem) : null;
}

/**
 * The form kept when text breaking the rule was already written (an old counter's outbox):
 * control characters removed, lone surrogates replaced by U+FFFD, then NFC. Text keeping the rule
 * only gets NFC.
 */
export function repairText(value: string): string {
  let out = '';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (isSurrogate(cp)) out += '\uFFFD';
    else if (!isControl(cp)) out += ch;
  }
  return out.normalize('NFC');
}

/** Length in whole characters (code points): an emoji counts once, as a person counts it. */
export function codePointLength(value: string): number {
  let n = 0;
  for (const _ of value) n += 1;
  return n;
}

/** The first `max` whole characters: a cut never lands inside an emoji. */
export function cutToCodePoints(value: string, max: number): string {
  if (value.length <= max) return value;
  return Array.from(value).slice(0, max).join('');
}

/**
 * A string field under the rule, normalised to NFC. `max` counts whole characters; `required`
 * refuses an empty value (after trimming, when `trim`).
 */
export function textField(
  field: string,
  options: { max: number; required?: boolean; trim?: boolean; requiredMessage?: string },
): z.ZodString {
  let schema = z.string({ error: `${field}必须是文字` });
  if (options.trim) schema = schema.trim();
  if (options.required) schema = schema.min(1, { error: options.requiredMessage ?? `请填写${field}` });
  return schema
    .refine((v) => codePointLength(v) <= options.max, { error: `${field}不能超过 ${options.max} 个字` })
    .check((ctx) => {
      const message = textRuleMessage(field, ctx.value);
      if (message) ctx.issues.push({ code: 'custom', message, input: ctx.value, continue: false });
    })
    .normalize('NFC');
}

/** Longest note, in whole characters (an emoji counts once). */
export const NOTE_MAX = 500;

/** The fields most contracts share. */
export const studentNoField = textField('学号', { max: 32, required: true, trim: true, requiredMessage: '请输入学号' });
export const noteField = textField('备注', { max: NOTE_MAX });
export const stepIdField = textField('环节编号', { max: 64, required: true, requiredMessage: '请提供环节编号' });
export const operatorNoField = textField('工号', { max: 32, required: true, trim: true, requiredMessage: '请输入工号' });

/** Text with every character the rule refuses spelled out (U+0000, U+D83D), for showing what was repaired. */
export function visibleText(value: string): string {
  let out = '';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    out += isSurrogate(cp) || isControl(cp) ? `[${hex(cp)}]` : ch;
  }
  return out;
}
