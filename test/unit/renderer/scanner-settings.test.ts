import { describe, expect, it } from 'vitest';
import { readScannerSettings } from '../../../src-renderer/src/scan/scanner-settings';

const storageWith = (value: string | null) => ({ getItem: () => value });

describe('readScannerSettings', () => {
  it('takes the known numeric options', () => {
    expect(readScannerSettings(storageWith('{"idleCommitMs":0,"minLength":6}'))).toEqual({ idleCommitMs: 0, minLength: 6 });
  });

  it('ignores unknown keys, non-numbers and negative values', () => {
    expect(readScannerSettings(storageWith('{"evil":1,"minLength":"6","maxGapMs":-5,"repeatWindowMs":2000}'))).toEqual({ repeatWindowMs: 2000 });
  });

  it('falls back to the defaults on missing or broken settings', () => {
    expect(readScannerSettings(storageWith(null))).toEqual({});
    expect(readScannerSettings(storageWith('{not json'))).toEqual({});
    expect(readScannerSettings(storageWith('[1,2]'))).toEqual({});
  });
});
