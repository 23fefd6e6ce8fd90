import demoJson from '../../resources/demo-batch.json';
import { BatchIndex } from '../../src-shared/domain/batch';
import { parseBatchDefinition } from '../../src-shared/domain/batch-definition';
import type { BatchDef } from '../../src-shared/domain/types';

/** The shipped demo definition, parsed through the same validator the app uses. */
export function demoBatch(): BatchDef {
  return parseBatchDefinition(structuredClone(demoJson));
}

export function demoIndex(): BatchIndex {
  return new BatchIndex(demoBatch());
}
