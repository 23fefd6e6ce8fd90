import type { StudentSummary } from '../../src-shared/contract/counter-api';
import type { Replica } from '../db/open';
import { isCurrentDone, isPrereqDone } from './checkpoint-progress';
import { loadGateInputs, type StudentRow } from './student-store';

/** List rows for the current checkpoint: the student without flags, and where they stand. */
export function summarize(replica: Replica, checkpointId: string, rows: StudentRow[]): StudentSummary[] {
  return loadGateInputs(replica, rows).map(({ student, input }) => {
    const { flags: _flags, ...rest } = student;
    return {
      ...rest,
      currentDone: isCurrentDone(replica.batch, input, checkpointId),
      prereqDone: isPrereqDone(replica.batch, input, checkpointId),
    };
  });
}
