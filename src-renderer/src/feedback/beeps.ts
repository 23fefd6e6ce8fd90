import type { DeskSettings } from '../../../src-shared/contract/desk-api';
import { useDeskSettings } from '../desk/desk-settings-store';
import type { FlashTone } from './flash';

/**
 * Short, distinct tones so the operator knows the outcome of a scan without looking up:
 * a rising chirp for success, two short level blips for already done (nothing happened, nothing
 * wrong), two falling tones for blocked, a low tone for not found and a harsh buzz for errors.
 */
const TONES: Record<Exclude<FlashTone, 'info'>, { freq: number; ms: number; type: OscillatorType }[]> = {
  success: [
    { freq: 880, ms: 70, type: 'sine' },
    { freq: 1320, ms: 90, type: 'sine' },
  ],
  already: [
    { freq: 740, ms: 60, type: 'sine' },
    { freq: 740, ms: 60, type: 'sine' },
  ],
  blocked: [
    { freq: 660, ms: 120, type: 'triangle' },
    { freq: 440, ms: 180, type: 'triangle' },
  ],
  notFound: [{ freq: 330, ms: 260, type: 'sine' }],
  error: [{ freq: 180, ms: 320, type: 'square' }],
};

let context: AudioContext | null = null;

/** At the desk's volume (柜台设置), or at the one given (the dialog's 试听 before saving). */
export function beep(tone: FlashTone, sounds: DeskSettings['sounds'] = useDeskSettings.getState().settings.sounds): void {
  if (tone === 'info' || !sounds.enabled || sounds.volume === 0 || typeof AudioContext === 'undefined') return;
  const volume = sounds.volume / 100;
  context ??= new AudioContext();
  const ctx = context;
  if (ctx.state === 'suspended') void ctx.resume();
  let at = ctx.currentTime;
  for (const { freq, ms, type } of TONES[tone]) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = type;
    osc.frequency.value = freq;
    // A quick fade in and out avoids the click of a hard-edged square wave.
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime((type === 'square' ? 0.08 : 0.2) * volume, at + 0.01);
    gain.gain.linearRampToValueAtTime(0, at + ms / 1000);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + ms / 1000 + 0.02);
    at += ms / 1000 + 0.03;
  }
}
