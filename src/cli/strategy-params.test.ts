import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.ts';
import { parseStrategyParams } from './strategy-params.ts';

describe('--params: one syntax for backtest and trade run', () => {
  it('k=v pairs: numbers become numbers, true/false booleans, the rest strings', () => {
    expect(parseStrategyParams('fast=10, slow=30.5,entry=state,long_only=true,short=false,x=')).toEqual({
      fast: 10,
      slow: 30.5,
      entry: 'state',
      long_only: true,
      short: false,
      x: '',
    });
    expect(parseStrategyParams('')).toEqual({});
  });

  it('a value starting with { is a JSON object, as given', () => {
    expect(parseStrategyParams(' {"fast":10,"symbols":["AAA","BBB"],"on":true}')).toEqual({
      fast: 10,
      symbols: ['AAA', 'BBB'],
      on: true,
    });
  });

  it('bad input is a one-line UsageError naming --params', () => {
    const bad = ['fast', 'fast=1,=2', '{oops', '{"a":1', '[1,2]x', 'a=1,,b=2'];
    for (const text of bad) {
      let err: unknown;
      try {
        parseStrategyParams(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(UsageError);
      expect((err as Error).message, text).toMatch(/^--params: [^\n]+$/);
    }
    expect(() => parseStrategyParams('fast')).toThrow(
      '--params: expected k=v[,k=v…] or a JSON object, got "fast"',
    );
    expect(() => parseStrategyParams('{oops')).toThrow(/^--params: not valid JSON \(/);
  });
});
