import { Bollinger } from '../../analytics/indicators/bollinger.ts';
import { Rsi } from '../../analytics/indicators/rsi.ts';
import { parseSizing, sizeFraction } from '../sizing.ts';
import type { Strategy, StrategyFactory } from '../types.ts';
import { Params } from './params.ts';

/**
 * Mean reversion on one symbol.
 * - `mode: 'bollinger'` (default): buy when the close falls below the lower Bollinger band (mean − k·σ of
 *   the last `window` closes, population σ as TA-Lib),
 *   exit when it is back at the mean; with `short`, the mirror image above mean + k·sd.
 * - `mode: 'rsi'`: buy when RSI(`period`) < `lower`, exit when > `upper` (short the reverse with `short`).
 */
export const meanReversion: StrategyFactory = (params = {}) => {
  const p = new Params('mean-reversion', params);
  const mode = p.str('mode', 'bollinger', ['bollinger', 'rsi'] as const);
  const window = p.int('window', 20);
  const k = p.num('k', 2);
  const period = p.int('period', 14);
  const lower = p.num('lower', 30);
  const upper = p.num('upper', 70);
  const allowShort = p.bool('short', false);
  const sizing = parseSizing(params.sizing);
  let bands = new Bollinger(window, k);
  let rsi = new Rsi(period);
  let symbol = '';
  let signal = 0;
  return {
    name: 'mean-reversion',
    params,
    init(ctx) {
      symbol = p.symbols('symbol', ctx.symbols, 1)[0] ?? '';
      bands = new Bollinger(window, k);
      rsi = new Rsi(period);
      signal = 0;
    },
    onBar(ctx) {
      if (!ctx.has(symbol)) return undefined;
      const c = ctx.close(symbol);
      let next = signal;
      if (mode === 'bollinger') {
        const b = bands.update(c);
        if (b === null) return undefined;
        const m = b.middle;
        if (c < b.lower) next = 1;
        else if (c > b.upper && allowShort) next = -1;
        else if ((signal > 0 && c >= m) || (signal < 0 && c <= m)) next = 0;
      } else {
        const r = rsi.update(c);
        if (r === null) return undefined;
        if (r < lower) next = 1;
        else if (r > upper) next = allowShort ? -1 : 0;
        else if (signal < 0 && r < 50) next = 0;
      }
      if (next === signal) return undefined;
      signal = next;
      return {
        targets: { [symbol]: next * sizeFraction(ctx, symbol, sizing) },
        reason: `${mode}_${next > 0 ? 'long' : next < 0 ? 'short' : 'exit'}`,
      };
    },
  } satisfies Strategy;
};
