import { describe, expect, it } from 'vitest';
import { checkMagnitude, readDecimal, readFileTime } from './file-values.ts';

describe('readDecimal', () => {
  it('reads plain decimals, with or without an exponent', () => {
    expect(readDecimal('12')).toBe(12);
    expect(readDecimal('-0.5')).toBe(-0.5);
    expect(readDecimal('.25')).toBe(0.25);
    expect(readDecimal('1.2e3')).toBe(1200);
  });
  it('refuses hex, octal, binary, Infinity, NaN and magnitudes beyond 1e15', () => {
    for (const text of [
      '0x64',
      '0o7',
      '0b1',
      'Infinity',
      '-Infinity',
      'NaN',
      '1e308',
      '1e16',
      '1,5',
      '12abc',
    ])
      expect(readDecimal(text), text).toHaveProperty('reason');
    expect(checkMagnitude(Number.POSITIVE_INFINITY)).toHaveProperty('reason');
    expect(checkMagnitude(1e15)).toBe(1e15);
  });
});

describe('readFileTime', () => {
  it('reads YYYYMMDD as that date, not as Unix seconds in 1970', () => {
    expect(readFileTime('20240501')).toBe(Date.UTC(2024, 4, 1));
    expect(readFileTime(20240501)).toBe(Date.UTC(2024, 4, 1));
    expect(readFileTime('20240230')).toHaveProperty('reason');
  });
  it('reads Unix seconds and milliseconds of plausible size and refuses the rest', () => {
    // 1714521600 s = 2024-05-01T00:00:00Z (date -u -d @1714521600)
    expect(readFileTime('1714521600')).toBe(Date.UTC(2024, 4, 1));
    expect(readFileTime(1714521600000)).toBe(Date.UTC(2024, 4, 1));
    for (const v of ['5', '1234567', '50000000000', '99999999999999', '-5'])
      expect(readFileTime(v), v).toHaveProperty('reason');
  });
  it('reads ISO-8601 with and without a zone and refuses other spellings', () => {
    expect(readFileTime('2024-05-01')).toBe(Date.UTC(2024, 4, 1));
    expect(readFileTime('2024-05-01T02:00:00+02:00')).toBe(Date.UTC(2024, 4, 1));
    expect(readFileTime('2024-05-01 00:00:00+00:00')).toBe(Date.UTC(2024, 4, 1));
    expect(readFileTime('2019-03-01T00:00:00')).toBe(Date.UTC(2019, 2, 1));
    for (const v of ['May 1, 2024', '2024-02-30', '01/05/2024', '2024'])
      expect(readFileTime(v), v).toHaveProperty('reason');
  });
});
