import { describe, expect, it } from 'vitest';
import demoJson from '../../resources/demo-batch.json';
import {
  BatchDefinitionError,
  describePath,
  parseBatchDefinition,
  parseBatchDefinitionText,
} from '../../src-shared/domain/batch-definition';

// Loose on purpose: each case breaks the demo in one place, often into an invalid shape.
type Json = any;

function problemsOf(mutate: (def: Json) => unknown): string[] {
  const def = structuredClone(demoJson) as Json;
  const replaced = mutate(def);
  try {
    parseBatchDefinition(replaced === undefined ? def : replaced);
  } catch (e) {
    expect(e).toBeInstanceOf(BatchDefinitionError);
    return (e as BatchDefinitionError).problems;
  }
  throw new Error('the broken definition was accepted');
}

function textProblems(text: string): string[] {
  try {
    parseBatchDefinitionText(text);
  } catch (e) {
    expect(e).toBeInstanceOf(BatchDefinitionError);
    return (e as BatchDefinitionError).problems;
  }
  throw new Error('the broken text was accepted');
}

describe('batch definition: where students go, and notices (issue 12)', () => {
  it('keeps location, hours, phone and notices, and leaves them out where the demo has none', () => {
    const def = parseBatchDefinitionText(JSON.stringify(demoJson));
    const network = def.checkpoints.find((c) => c.id === 'network')!;
    expect(network.location).toBe('信息楼 101 室');
    expect(network.hours).toBeUndefined();
    expect(def.checkpoints.find((c) => c.id === 'dorm')).toMatchObject({ location: '各宿舍区宿管值班室', phone: '0731-8800 1601' });
    expect(def.notices?.map((n) => n.title)).toEqual(['离校手续办理时间', '图书与欠款由系统自动核对']);
    const { notices: _notices, ...withoutNotices } = demoJson as Json;
    expect(parseBatchDefinition(withoutNotices).notices).toBeUndefined();
  });

  it('refuses an empty location, a notice without text and an unknown notice field, in Chinese', () => {
    expect(problemsOf((d) => void (d.checkpoints[1].location = '  '))).toEqual(['离校点第2项 → location: 不能为空']);
    expect(problemsOf((d) => void (d.notices = [{ title: '通知', body: '' }]))).toEqual(['通知第1项 → body: 不能为空']);
    expect(problemsOf((d) => void (d.notices = [{ title: '通知', body: '内容', author: '离校办' }]))[0]).toContain('不认识的字段 "author"');
  });
});

describe('batch definition validation', () => {
  it('accepts the shipped demo definition unchanged', () => {
    const def = parseBatchDefinitionText(JSON.stringify(demoJson));
    expect(def.checkpoints.map((c) => c.id)).toEqual([
      'college', 'library', 'student-affairs', 'utilities', 'dorm', 'network', 'finance', 'certificates', 'academic-affairs',
    ]);
  });

  it('spells paths for people', () => {
    expect(describePath([])).toBe('批次定义');
    expect(describePath(['checkpoints', 2, 'steps', 0, 'name'])).toBe('离校点第3项 → 环节第1项 → name');
  });

  it('duplicate step ids', () => {
    expect(problemsOf((d) => void (d.checkpoints[2].steps[1].id = 'return-student-card'))).toEqual([
      '离校点第3项 → 环节第2项 → id: 环节编号 "return-student-card" 重复',
    ]);
  });

  it('duplicate checkpoint ids, reported at the second occurrence', () => {
    expect(problemsOf((d) => void (d.checkpoints[3].id = 'dorm'))).toEqual(['离校点第5项 → id: 离校点编号 "dorm" 重复']);
  });

  it('unknown prerequisite', () => {
    expect(problemsOf((d) => void (d.checkpoints[4].steps[0].gate = { requires: ['return-book'] }))).toEqual([
      '离校点第5项 → 环节第1项 → gate → 前提环节第1项: 前提环节 "return-book" 不存在',
    ]);
  });

  it('optional prerequisite', () => {
    expect(problemsOf((d) => void (d.checkpoints[4].steps[0].gate = { requires: ['electricity', 'refund-status'] }))).toEqual([
      '离校点第5项 → 环节第1项 → gate → 前提环节第2项: 前提环节 "refund-status" 是可办可不办的环节，不能作为前提',
    ]);
  });

  it('a step requiring itself, reported once', () => {
    expect(problemsOf((d) => void (d.checkpoints[4].steps[0].gate = { requires: ['dorm-clearance'] }))).toEqual([
      '离校点第5项 → 环节第1项 → gate → 前提环节第1项: 环节不能以自己为前提',
    ]);
  });

  it('a cycle of explicit prerequisites', () => {
    const problems = problemsOf((d) => {
      d.checkpoints[3].steps[0].gate = { requires: ['dorm-clearance'] };
      d.checkpoints[4].steps[0].gate = { requires: ['electricity'] };
    });
    expect(problems).toEqual(['离校点第4项 → 环节第1项 → gate: 前提条件形成循环: electricity → dorm-clearance → electricity']);
  });

  it('a cycle through an allOtherRequired step (the certificates would wait forever)', () => {
    expect(problemsOf((d) => void (d.checkpoints[4].steps[0].gate = { requires: ['degree-cert'] }))).toEqual([
      '离校点第5项 → 环节第1项 → gate: 前提条件形成循环: dorm-clearance → degree-cert → dorm-clearance',
    ]);
  });

  it('allows an explicit gate on a certificate step from the same checkpoint', () => {
    const def = structuredClone(demoJson) as Json;
    def.checkpoints[7].steps[3].gate = { requires: ['degree-cert'] };
    expect(() => parseBatchDefinition(def)).not.toThrow();
  });

  it('unknown flag', () => {
    expect(problemsOf((d) => void (d.checkpoints[0].steps[0].appliesTo = { flag: '党员' }))).toEqual([
      '离校点第1项 → 环节第1项 → appliesTo → flag: 标记列 "党员" 没有在 flags 中定义',
    ]);
  });

  it('bad enums', () => {
    expect(problemsOf((d) => void (d.checkpoints[1].scope = 'campus'))).toEqual([
      '离校点第2项 → scope: 必须是 "school"（全校）或 "college"（学院）',
    ]);
    expect(problemsOf((d) => void (d.checkpoints[1].steps[0].mode = 'automatic'))).toEqual([
      '离校点第2项 → 环节第1项 → mode: 必须是 "manual"（柜台办理）或 "auto"（其他系统写入）',
    ]);
    expect(problemsOf((d) => void (d.completionRule = 'most'))).toEqual(['completionRule: 必须是 "required"（办结必办）或 "all"（办结全部）']);
  });

  it('bad shapes and values, each in Chinese with its path', () => {
    expect(problemsOf((d) => void (d.checkpoints[1].steps[0].id = 'Return Books'))).toEqual([
      '离校点第2项 → 环节第1项 → id: 只能用小写字母、数字和连字符，如 "return-books"',
    ]);
    expect(problemsOf((d) => void (d.checkpoints[1].steps[0].optional = true))).toEqual([
      '离校点第2项 → 环节第1项: 不认识的字段 "optional"（字段名区分大小写）',
    ]);
    expect(problemsOf((d) => void (d.checkpoints[1].steps[0].name = '  '))).toEqual(['离校点第2项 → 环节第1项 → name: 不能为空']);
    expect(problemsOf((d) => void (d.checkpoints[1].steps[0].required = 'yes'))).toEqual([
      '离校点第2项 → 环节第1项 → required: 必须是 true 或 false',
    ]);
    expect(problemsOf((d) => void (d.checkpoints[1].steps = []))).toEqual(['离校点第2项 → steps: 至少要有一个环节']);
    expect(problemsOf((d) => void (d.checkpoints[1].steps[0].gate = { requires: [] }))).toEqual([
      '离校点第2项 → 环节第1项 → gate → requires: 至少列出一个环节',
    ]);
    expect(problemsOf((d) => void (d.checkpoints[1].steps[0].gate = { requires: 'all' }))).toEqual([
      '离校点第2项 → 环节第1项 → gate: gate 必须是 {"requires": ["环节编号", ...]} 或 {"requires": "allOtherRequired"}',
    ]);
    expect(problemsOf((d) => void (d.formatVersion = 2))).toEqual(['formatVersion: 只支持 formatVersion 1']);
    expect(problemsOf(() => [])).toEqual(['批次定义: 必须是对象 {...}']);
    expect(problemsOf((d) => void (d.checkpoints[1].steps = ['return-books']))).toEqual(['离校点第2项 → 环节第1项: 必须是对象 {...}']);
  });

  it('reports every problem of a kind at once; cross-references are checked once the shape is right', () => {
    const shape = problemsOf((d) => {
      d.checkpoints[1].scope = 'campus';
      d.checkpoints[2].steps[0].name = '';
      d.checkpoints[0].steps[0].appliesTo = { flag: '党员' };
    });
    expect(shape).toHaveLength(2);
    const problems = problemsOf((d) => {
      d.checkpoints[0].steps[0].appliesTo = { flag: '党员' };
      d.checkpoints[4].steps[0].gate = { requires: ['return-book'] };
    });
    expect(problems).toHaveLength(2);
    const error = new BatchDefinitionError(problems);
    expect(error.message.split('\n')[0]).toBe('批次定义有误:');
  });

  it('invalid JSON names the line and column', () => {
    expect(textProblems('{\n  "formatVersion": 1,\n  "id": "x",,\n}')).toEqual(['不是有效的 JSON: 第 3 行第 13 列附近有语法错误']);
    expect(textProblems('  \n')).toEqual(['不是有效的 JSON: 内容是空的']);
    expect(textProblems('{"formatVersion": 1,')).toHaveLength(1);
    expect(textProblems('{"formatVersion": 1,')[0]).toMatch(/^不是有效的 JSON: /);
  });
});
