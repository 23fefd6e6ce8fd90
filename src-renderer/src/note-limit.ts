import { cutToCodePoints, NOTE_MAX } from '../../src-shared/contract/text-rule';

/**
 * A note box's value, cut to the limit by whole characters. The input's own maxLength counts
 * UTF-16 units and would leave half an emoji at the end of a long pasted note.
 */
export const limitNote = (value: string): string => cutToCodePoints(value, NOTE_MAX);
