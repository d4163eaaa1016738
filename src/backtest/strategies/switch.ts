import type { Strategy, StrategyFactory } from '../types.ts';
import { Params } from './params.ts';

/**
 * Switch (momentum rotation): every `every` bars, hold the `top` symbols with the highest `lookback`-bar
 * return, equally weighted; with `absolute: true`, a symbol with negative momentum is replaced by cash.
 * Params: symbols (all), lookback (60), every (21), top (1), absolute (false).
 */
export const switchStrategy: StrategyFactory = (params = {}) => {
  const p = new Params('switch', params);
  const lookback = p.int('lookback', 60);
  const every = p.int('every', 21);
  const top = p.int('top', 1);
  const absolute = p.bool('absolute', false);
  let symbols: string[] = [];
  let bars = 0;
  let held = '';
  return {
    name: 'switch',
    params,
    init(ctx) {
      symbols = params.symbols === undefined ? [...ctx.symbols] : p.symbols('symbols', ctx.symbols, 1);
      bars = 0;
      held = '';
    },
    onBar(ctx) {
      bars++;
      if ((bars - 1) % every !== 0) return undefined;
      const scored: Array<[string, number]> = [];
      for (const s of symbols) {
        const then = ctx.price(s, 'close', lookback);
        const now = ctx.close(s);
        if (!(then > 0 && now > 0)) return undefined;
        scored.push([s, now / then - 1]);
      }
      scored.sort((x, y) => y[1] - x[1]);
      const pick = scored.slice(0, top).filter(([, m]) => !absolute || m > 0);
      const key = pick.map(([s]) => s).join(',');
      if (key === held) return undefined;
      held = key;
      const targets: Record<string, number> = {};
      for (const s of symbols) targets[s] = 0;
      for (const [s] of pick) targets[s] = 1 / top;
      return { targets, reason: `momentum_${key || 'cash'}` };
    },
  } satisfies Strategy;
};
