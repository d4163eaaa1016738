import { Sma } from '../../analytics/indicators/sma.ts';
import { parseSizing, sizeFraction } from '../sizing.ts';
import type { Strategy, StrategyFactory } from '../types.ts';
import { Params } from './params.ts';

/**
 * Moving-average crossover: long while the `fast`-bar SMA of the close is above the `slow`-bar SMA, flat
 * (or short with `short: true`) while below. Decides on the close of bar t; the engine fills later.
 * Params: fast (10), slow (30), symbol (first), short (false), sizing (1 = all equity).
 */
export const maCrossover: StrategyFactory = (params = {}) => {
  const p = new Params('ma-crossover', params);
  const fastN = p.int('fast', 10);
  const slowN = p.int('slow', 30);
  const allowShort = p.bool('short', false);
  const sizing = parseSizing(params.sizing);
  let fast = new Sma(fastN);
  let slow = new Sma(slowN);
  let symbol = '';
  let signal = 0;
  const strategy: Strategy = {
    name: 'ma-crossover',
    params,
    init(ctx) {
      if (fastN >= slowN)
        throw new RangeError(`ma-crossover: fast (${fastN}) must be shorter than slow (${slowN})`);
      symbol = p.symbols('symbol', ctx.symbols, 1)[0] ?? '';
      fast = new Sma(fastN);
      slow = new Sma(slowN);
      signal = 0;
    },
    onBar(ctx) {
      if (!ctx.has(symbol)) return undefined;
      const c = ctx.close(symbol);
      const f = fast.update(c);
      const s = slow.update(c);
      if (f === null || s === null) return undefined;
      const next = f > s ? 1 : f < s && allowShort ? -1 : f < s ? 0 : signal;
      if (next === signal) return undefined;
      signal = next;
      const w = next === 0 ? 0 : next * sizeFraction(ctx, symbol, sizing);
      return {
        targets: { [symbol]: w },
        reason: next > 0 ? 'fast_above_slow' : next < 0 ? 'fast_below_slow_short' : 'fast_below_slow',
      };
    },
  };
  return strategy;
};
