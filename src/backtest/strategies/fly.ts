import { RollingMoments } from '../../analytics/indicators/rolling-moments.ts';
import type { Strategy, StrategyFactory } from '../types.ts';
import { Params } from './params.ts';

/**
 * Fly: a 1 : −2 : 1 butterfly of three related assets (wing, body, wing — e.g. three tenors or three
 * stablecoins). The fly value ln A − 2 ln B + ln C is z-scored over `lookback` bars; z < −entry buys the fly
 * (long wings, short body twice), z > entry sells it; exit when |z| < `exit`. Quantities are 1 : −2 : 1 units,
 * scaled so gross exposure is `gross` of equity.
 * Params: symbols ([first three]), lookback (40), entry (2), exit (0.5), gross (1).
 */
export const fly: StrategyFactory = (params = {}) => {
  const p = new Params('fly', params);
  const lookback = p.int('lookback', 40);
  const entry = p.num('entry', 2);
  const exit = p.num('exit', 0.5);
  const gross = p.num('gross', 1);
  let legs: string[] = [];
  let stats = new RollingMoments(lookback);
  let full = false;
  let signal = 0;
  return {
    name: 'fly',
    params,
    init(ctx) {
      legs = p.symbols('symbols', ctx.symbols, 3);
      stats = new RollingMoments(lookback);
      full = false;
      signal = 0;
    },
    onBar(ctx) {
      const [a = '', b = '', c = ''] = legs;
      if (!ctx.has(a) || !ctx.has(b) || !ctx.has(c)) return undefined;
      const pa = ctx.close(a);
      const pb = ctx.close(b);
      const pc = ctx.close(c);
      const value = Math.log(pa) - 2 * Math.log(pb) + Math.log(pc);
      const ready = full;
      const mean = stats.mean;
      const sd = Math.sqrt(stats.m2 / lookback);
      full = stats.push(value);
      // z of today's value against the previous `lookback` values (today excluded from its own baseline).
      if (!ready || !(sd > 0)) return undefined;
      const z = (value - mean) / sd;
      let next = signal;
      if (z < -entry) next = 1;
      else if (z > entry) next = -1;
      else if (Math.abs(z) < exit) next = 0;
      if (next === signal) return undefined;
      signal = next;
      const unit = pa + 2 * pb + pc;
      const k = (next * gross) / unit;
      return { targets: { [a]: k * pa, [b]: -2 * k * pb, [c]: k * pc }, reason: `fly_z_${z.toFixed(2)}` };
    },
  } satisfies Strategy;
};
