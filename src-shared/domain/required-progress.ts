/**
 * How far a student is, as the counter's 离校记录 and the student page both say it: of the
 * required steps that apply to them (无需办理 does not count), how many have passed.
 */
export function requiredProgress(checkpoints: readonly { steps: readonly { required: boolean; status: string }[] }[]): { passed: number; total: number } {
  let passed = 0;
  let total = 0;
  for (const cp of checkpoints) {
    for (const step of cp.steps) {
      if (!step.required || step.status === 'na') continue;
      total++;
      if (step.status === 'passed') passed++;
    }
  }
  return { passed, total };
}
