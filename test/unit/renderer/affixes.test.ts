import { describe, expect, it } from 'vitest';
import { stripAffixes } from '../../../src-renderer/src/scan/affixes';

describe('stripAffixes', () => {
  it('takes the reader prefix and suffix off a code that carries them', () => {
    expect(stripAffixes('QR:2023000001#', { prefix: 'QR:', suffix: '#' })).toBe('2023000001');
    expect(stripAffixes('QR:2023000001', { prefix: 'QR:', suffix: '' })).toBe('2023000001');
  });

  it('leaves a code without them alone (the camera, a reader set otherwise)', () => {
    expect(stripAffixes('2023000001', { prefix: 'QR:', suffix: '#' })).toBe('2023000001');
    expect(stripAffixes('2023QR:0001', { prefix: 'QR:', suffix: '' })).toBe('2023QR:0001');
    expect(stripAffixes('2023000001', { prefix: '', suffix: '' })).toBe('2023000001');
  });
});
