import { Sma } from '../../analytics/indicators/sma.ts';
import { parseSizing, sizeFraction } from '../sizing.ts';
import type { Strategy, StrategyFactory } from '../types.ts';
import { Params } from './params.ts';

/** When ma-crossover first takes a position: on a cross (the default), or on the state it starts in. */
export const MA_ENTRY_MODES = ['cross', 'state'] as const;
export type MaEntryMode = (typeof MA_ENTRY_MODES)[number];
/** `cross`, as the textbook rule and backtesting.py's SmaCross: a run must not buy a trend already under way. */
export const DEFAULT_MA_ENTRY: MaEntryMode = 'cross';

/**
 * Moving-average crossover: long while the `fast`-bar SMA of the close is above the `slow`-bar SMA, flat
 * (or short with `short: true`) while below. Decides on the close of bar t; the engine fills later.
 * `entry: 'cross'` (default) takes the first position only when the averages cross — fast going from not
 * above slow to above it (or from not below to below, for a short); the relation on the first bar where both
 * averages exist is only observed. `entry: 'state'` takes the position that relation implies at once.
 * Params: fast (10), slow (30), symbol (first), short (false), entry ('cross'), sizing (1 = all equity).
 */
export const maCrossover: StrategyFactory = (params = {}) => {
  const p = new Params('ma-crossover', params);
  const fastN = p.int('fast', 10);
  const slowN = p.int('slow', 30);
  const allowShort = p.bool('short', false);
  const entry = p.str('entry', DEFAULT_MA_ENTRY, MA_ENTRY_MODES);
  const sizing = parseSizing(params.sizing);
  let fast = new Sma(fastN);
  let slow = new Sma(slowN);
  let symbol = '';
  let signal = 0;
  // Cross mode: the relation (−1 below, 0 equal, 1 above) on the previous bar, NaN before the first one;
  // `armed` once a cross has been seen, after which every change of relation is a cross anyway.
  let prevRel = Number.NaN;
  let armed = entry === 'state';
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
      prevRel = Number.NaN;
      armed = entry === 'state';
    },
    onBar(ctx) {
      if (!ctx.has(symbol)) return undefined;
      const c = ctx.close(symbol);
      const f = fast.update(c);
      const s = slow.update(c);
      if (f === null || s === null) return undefined;
      if (!armed) {
        const rel = Math.sign(f - s);
        const crossed = !Number.isNaN(prevRel) && rel !== 0 && rel !== prevRel;
        prevRel = rel;
        if (!crossed) return undefined;
        armed = true;
      }
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
