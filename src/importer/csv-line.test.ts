import { describe, expect, it } from 'vitest';
import { splitCsvLine } from './csv-line.ts';

describe('splitCsvLine', () => {
  it('splits plain and quoted fields with "" escapes', () => {
    expect(splitCsvLine('a,b,c')).toEqual(['a', 'b', 'c']);
    expect(splitCsvLine('"x, y",2,"say ""hi"""')).toEqual(['x, y', '2', 'say "hi"']);
  });
  it('keeps empty fields, including a trailing one', () => {
    expect(splitCsvLine(',1,')).toEqual(['', '1', '']);
    expect(splitCsvLine('Date,,,')).toEqual(['Date', '', '', '']);
  });
  it('reads other delimiters', () => {
    expect(splitCsvLine('"2023-01-01";1.0;2', ';')).toEqual(['2023-01-01', '1.0', '2']);
  });
  it('returns null for an unclosed quote or junk after a closing quote', () => {
    expect(splitCsvLine('"abc,1')).toBeNull();
    expect(splitCsvLine('"abc"x,1')).toBeNull();
  });
});
