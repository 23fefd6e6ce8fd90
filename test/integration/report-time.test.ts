import { describe, expect, it } from 'vitest';
import { dayBounds, localDate, localDateTime } from '../../src-main/reports/time';

describe('report days in a named time zone', () => {
  it('cuts a Beijing day at 16:00 UTC the day before', () => {
    expect(dayBounds('2027-06-21', 'Asia/Shanghai')).toEqual({ start: '2027-06-20T16:00:00.000Z', end: '2027-06-21T16:00:00.000Z' });
    expect(localDate(new Date('2027-06-20T16:00:00.000Z'), 'Asia/Shanghai')).toBe('2027-06-21');
    expect(localDate(new Date('2027-06-20T15:59:59.999Z'), 'Asia/Shanghai')).toBe('2027-06-20');
    expect(localDateTime(new Date('2027-06-21T12:00:00.000Z'), 'Asia/Shanghai')).toBe('2027-06-21 20:00');
  });

  it('honours a daylight-saving change on the day (23 and 25 hour days)', () => {
    expect(dayBounds('2027-03-14', 'America/New_York')).toEqual({ start: '2027-03-14T05:00:00.000Z', end: '2027-03-15T04:00:00.000Z' });
    expect(dayBounds('2027-11-07', 'America/New_York')).toEqual({ start: '2027-11-07T04:00:00.000Z', end: '2027-11-08T05:00:00.000Z' });
  });

  it('rolls over month and year ends', () => {
    expect(dayBounds('2027-12-31', 'UTC')).toEqual({ start: '2027-12-31T00:00:00.000Z', end: '2028-01-01T00:00:00.000Z' });
  });
});
