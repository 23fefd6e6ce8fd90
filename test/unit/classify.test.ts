import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyOptions } from '../property-options';
import { classifyScan, idCardCheckDigit, isValidIdCard, maskIdCard, toHalfWidth } from '../../src-shared/scan/classify';

// The sample numbers from GB 11643 and two fictitious ones, check digits computed by hand.
const VALID_X = '11010519491231002X';
const VALID = ['440524188001010014', '430102200403172726', '430304200311081556', VALID_X];

describe('classifyScan: 学号', () => {
  it('reads a 10-digit 学号 with its leading zero kept', () => {
    expect(classifyScan('0803010103')).toEqual({ kind: 'studentNo', value: '0803010103' });
  });

  it('trims what a scanner or a paste adds', () => {
    expect(classifyScan(' 0803010103\r\n')).toEqual({ kind: 'studentNo', value: '0803010103' });
    expect(classifyScan('\u30000803010103\t')).toEqual({ kind: 'studentNo', value: '0803010103' });
  });

  it('reads full-width digits from an IME as ASCII', () => {
    expect(classifyScan('０８０３０１０１０３')).toEqual({ kind: 'studentNo', value: '0803010103' });
  });

  it('follows a school-specific 学号 pattern', () => {
    const opts = { studentNoPattern: /^\d{12}$/ };
    expect(classifyScan('0803010103', opts).kind).toBe('invalid');
    expect(classifyScan('202308030101', opts)).toEqual({ kind: 'studentNo', value: '202308030101' });
    expect(classifyScan('080301', { studentNoPattern: /^\d{6}$/ })).toEqual({ kind: 'studentNo', value: '080301' });
  });
});

describe('classifyScan: 身份证号', () => {
  it('accepts 18 digits with a valid check digit', () => {
    for (const id of VALID) expect(classifyScan(id), id).toEqual({ kind: 'idCard', value: id });
  });

  it('upper-cases a lowercase x, also full-width', () => {
    expect(classifyScan('11010519491231002x')).toEqual({ kind: 'idCard', value: VALID_X });
    expect(classifyScan('１１０１０５１９４９１２３１００２ｘ')).toEqual({ kind: 'idCard', value: VALID_X });
  });

  it('reports a wrong check digit rather than treating it as something else', () => {
    expect(classifyScan('110105194912310021')).toEqual({ kind: 'invalid', reason: 'id_checksum', raw: '110105194912310021' });
    expect(classifyScan('440524188001010015').kind).toBe('invalid');
  });

  it('accepts exactly the check digit the 17 digits call for (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{17}$/), fc.constantFrom(...'0123456789X'), (first17, last) => {
        const result = classifyScan(first17 + last);
        if (last === idCardCheckDigit(first17)) expect(result).toEqual({ kind: 'idCard', value: first17 + last });
        else expect(result).toMatchObject({ kind: 'invalid', reason: 'id_checksum' });
      }),
      propertyOptions(100),
    );
  });

  it('isValidIdCard wants upper-case X and exactly 18 characters', () => {
    expect(isValidIdCard(VALID_X)).toBe(true);
    expect(isValidIdCard(VALID_X.toLowerCase())).toBe(false);
    expect(isValidIdCard(VALID_X.slice(0, 17))).toBe(false);
  });

  it('masks all but the last 4: no region code', () => {
    expect(maskIdCard('430102200403172726')).toBe('**************2726');
    expect(maskIdCard('4301022004031727')).toBe('************1727');
    expect(maskIdCard('12345')).toBe('*****');
  });
});

describe('classifyScan: last 6 of the 身份证号', () => {
  it('reads 6 characters ending in a digit or X', () => {
    expect(classifyScan('172726')).toEqual({ kind: 'idLast6', value: '172726' });
    expect(classifyScan('31002x')).toEqual({ kind: 'idLast6', value: '31002X' });
  });

  it('does not take 5 or 7 digits for it', () => {
    expect(classifyScan('12345').kind).toBe('invalid');
    expect(classifyScan('1234567').kind).toBe('invalid');
  });
});

describe('classifyScan: names', () => {
  it('reads Chinese names, compound surnames and names with the middle dot', () => {
    for (const n of ['张三', '欧阳娜娜', '司马懿', '迪丽热巴·迪力木拉提']) expect(classifyScan(n)).toEqual({ kind: 'name', value: n });
  });

  it('reads characters outside the BMP as one character each', () => {
    for (const n of ['𠀾', '王𡈼', '郑月𤭢', '黄斌𪚥']) expect(classifyScan(n)).toEqual({ kind: 'name', value: n });
    // 20 characters is the limit, counted in characters, not UTF-16 units.
    expect(classifyScan('𠀾'.repeat(20)).kind).toBe('name');
    expect(classifyScan('𠀾'.repeat(21)).kind).toBe('invalid');
  });

  it('refuses names with spaces or digits, and Latin-only text', () => {
    for (const t of ['张 三', '张三1', 'hello']) expect(classifyScan(t)).toEqual({ kind: 'invalid', reason: 'unrecognised', raw: t });
  });
});

describe('classifyScan: QR payloads', () => {
  it('takes xh, studentNo or sid from a URL', () => {
    expect(classifyScan('https://lx.example.edu.cn/s?xh=0803010103&t=1')).toEqual({ kind: 'studentNo', value: '0803010103' });
    expect(classifyScan('http://card.example.edu.cn/?sid=0803010103')).toEqual({ kind: 'studentNo', value: '0803010103' });
  });

  it('takes the 学号 from a JSON payload', () => {
    expect(classifyScan('{"xh":"0803010103"}')).toEqual({ kind: 'studentNo', value: '0803010103' });
    expect(classifyScan('{"name":"张三","studentNo":"0803010103"}')).toEqual({ kind: 'studentNo', value: '0803010103' });
    expect(classifyScan('{"学号":"０８０３０１０１０３"}')).toEqual({ kind: 'studentNo', value: '0803010103' });
  });

  it('uses a school’s own pattern, on every scan even with the g flag', () => {
    const opts = { qrPattern: /XKD:(\d+);/g };
    expect(classifyScan('XKD:0803010103;', opts)).toEqual({ kind: 'studentNo', value: '0803010103' });
    expect(classifyScan('XKD:0803010104;', opts)).toEqual({ kind: 'studentNo', value: '0803010104' });
  });

  it('refuses a payload without a usable 学号 instead of reading it as a name or number', () => {
    for (const t of ['https://x.example/?xh=abc', 'https://x.example/?name=1', '{"foo":1}', '{bad json', '{"xh":"12"}']) {
      expect(classifyScan(t), t).toEqual({ kind: 'invalid', reason: 'unrecognised', raw: t });
    }
  });
});

describe('classifyScan: garbage', () => {
  it('says empty for nothing but whitespace', () => {
    for (const t of ['', '   ', '\r\n', '\u3000']) expect(classifyScan(t)).toEqual({ kind: 'invalid', reason: 'empty', raw: t });
  });

  it('says unrecognised for anything else', () => {
    for (const t of ['!!!', 'A0803010103', '12345678901234567', '0803-0101-03', '\u0000\u0001']) {
      expect(classifyScan(t), t).toEqual({ kind: 'invalid', reason: 'unrecognised', raw: t });
    }
  });

  it('never throws, whatever is scanned (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (t) => void classifyScan(t)), propertyOptions(100));
  });
});

describe('toHalfWidth', () => {
  it('maps full-width ASCII and the ideographic space, leaves CJK alone', () => {
    expect(toHalfWidth('ＡＢＣ１２３　张三')).toBe('ABC123 张三');
  });
});
