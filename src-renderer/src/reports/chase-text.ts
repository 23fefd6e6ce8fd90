import type { ChaseStep } from '../../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../../src-shared/i18n/report.zh-CN';

/** A student's open steps in one cell; within the checkpoint's own column its name goes without saying. */
export function stepsText(steps: ChaseStep[], withCheckpoint: boolean): string {
  return steps
    .map((s) => {
      const note = s.status === 'rejected' ? s.note : null;
      return withCheckpoint ? t.chaseStep(s.checkpointName, s.stepName, note) : t.chaseOwnStep(s.stepName, note);
    })
    .join(t.listSeparator);
}
