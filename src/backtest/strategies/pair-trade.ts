import { ols } from '../regression.ts';
import type { Strategy, StrategyFactory } from '../types.ts';
import { Params } from './params.ts';

/**
 * Pair trade on two correlated assets A and B. Over the last `lookback` common bars the hedge ratio β comes
 * from an OLS regression of A on B; the spread A − β·B is z-scored against its own mean and deviation
 * (residuals of that fit). z > `entry`: short the spread (short A, long β·B); z < −entry: long it; exit when
 * |z| < `exit`. Quantities are 1 : −β, scaled so gross exposure is `gross` of equity.
 * Params: symbols ([first two]), lookback (60), entry (2), exit (0.5), gross (1).
 */
export const pairTrade: StrategyFactory = (params = {}) => {
  const p = new Params('pair-trade', params);
  const lookback = p.int('lookback', 60);
  const entry = p.num('entry', 2);
  const exit = p.num('exit', 0.5);
  const gross = p.num('gross', 1);
  let a = '';
  let b = '';
  let signal = 0;
  return {
    name: 'pair-trade',
    params,
    init(ctx) {
      [a = '', b = ''] = p.symbols('symbols', ctx.symbols, 2);
      signal = 0;
    },
    onBar(ctx) {
      if (!ctx.has(a) || !ctx.has(b)) return undefined;
      const ya = ctx.history(a, 'close', lookback);
      const xb = ctx.history(b, 'close', lookback);
      if (ya.length < lookback || xb.length < lookback) return undefined;
      const { alpha, beta } = ols(xb, ya);
      let s = 0;
      let ss = 0;
      for (let k = 0; k < lookback; k++) {
        const e = (ya[k] ?? 0) - alpha - beta * (xb[k] ?? 0);
        s += e;
        ss += e * e;
      }
      const mean = s / lookback;
      const sd = Math.sqrt(Math.max(0, ss / lookback - mean * mean));
      if (!(sd > 0)) return undefined;
      const pa = ctx.close(a);
      const pb = ctx.close(b);
      const z = (pa - alpha - beta * pb - mean) / sd;
      let next = signal;
      if (z > entry) next = -1;
      else if (z < -entry) next = 1;
      else if (Math.abs(z) < exit) next = 0;
      if (next === signal) return undefined;
      signal = next;
      const unit = pa + Math.abs(beta) * pb;
      const wa = (next * gross * pa) / unit;
      const wb = (-next * gross * beta * pb) / unit;
      return { targets: { [a]: wa, [b]: wb }, reason: `spread_z_${z.toFixed(2)}` };
    },
  } satisfies Strategy;
};
