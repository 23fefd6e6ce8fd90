import { beep } from './beeps';
import { useFlashStore, type FlashTone } from './flash';

/** Banner plus sound: the two channels an operator at a busy desk actually notices. */
export function notify(tone: FlashTone, text: string): void {
  useFlashStore.getState().show(tone, text);
  beep(tone);
}
