import { bollinger, rsi, sma } from '../analytics/indicators/index.ts';
import { STRATEGIES } from '../backtest/strategies/index.ts';
import { toIsoDate } from '../core/time.ts';
import type { StrategyDefinition } from '../store/repos/strategies.ts';
import type { CloseSeries } from './market.ts';
import type { StrategySignal } from './types.ts';

/**
 * Today's signal of each configured strategy on each instrument, with the reasoning in words. The rules
 * are those of the built-in strategies (src/backtest/strategies): the same indicators from
 * src/analytics/indicators over the stored daily closes, read at the last bar.
 */

/** Strategies evaluated when none is configured in `strategies.definitions`. */
const DEFAULT_SIGNAL_STRATEGIES: readonly StrategyDefinition[] = [
  { name: 'ma-crossover', kind: 'builtin', params: { fast: 10, slow: 30 } },
  { name: 'mean-reversion', kind: 'builtin', params: { mode: 'rsi', period: 14, lower: 30, upper: 70 } },
];

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
/** `v` with one decimal, more when one decimal would print it equal to `bound` (29.996 vs 30). */
function near(v: number, ...bounds: number[]): string {
  let d = 1;
  while (d < 4 && bounds.includes(Number(v.toFixed(d)))) d++;
  return v.toFixed(d);
}
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(2) : x.toPrecision(5));

function intParam(p: Record<string, unknown>, key: string, fallback: number): number {
  const v = p[key];
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
}
function numParam(p: Record<string, unknown>, key: string, fallback: number): number {
  const v = p[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** The built-in a definition runs: its name, or `params.strategy`. */
function builtinOf(d: StrategyDefinition): string | null {
  if (d.kind !== 'builtin') return null;
  if (STRATEGIES[d.name]) return d.name;
  const s = d.params.strategy;
  return typeof s === 'string' && STRATEGIES[s] ? s : null;
}

function maCrossover(label: string, s: CloseSeries, p: Record<string, unknown>): StrategySignal | null {
  const fastN = intParam(p, 'fast', 10);
  const slowN = intParam(p, 'slow', 30);
  const n = s.close.length;
  if (fastN >= slowN || n < slowN + 1) return null;
  const f = sma(s.close, fastN);
  const sl = sma(s.close, slowN);
  // Warm-up values are NaN; a NaN anywhere means no signal yet.
  const [f1, s1, f0, s0] = [f[n - 1], sl[n - 1], f[n - 2], sl[n - 2]].map((x) => x ?? Number.NaN) as [
    number,
    number,
    number,
    number,
  ];
  if (![f1, s1, f0, s0].every((x) => Number.isFinite(x))) return null;
  const allowShort = p.short === true;
  const gap = f1 / s1 - 1;
  const day = toIsoDate(s.ts[n - 1] ?? 0);
  const crossedUp = f1 > s1 && f0 <= s0;
  const crossedDown = f1 < s1 && f0 >= s0;
  const action = crossedUp ? 'buy' : crossedDown ? 'sell' : 'hold';
  const stance = f1 > s1 ? 'long' : allowShort ? 'short' : 'flat';
  const fastName = `SMA${fastN}`;
  const slowName = `SMA${slowN}`;
  const reasoning = crossedUp
    ? `${fastName} (${num(f1)}) crossed above ${slowName} (${num(s1)}) on ${day}: the trend turned up, so the strategy goes long.`
    : crossedDown
      ? `${fastName} (${num(f1)}) crossed below ${slowName} (${num(s1)}) on ${day}: the trend turned down, so the strategy ${allowShort ? 'goes short' : 'exits to cash'}.`
      : `${fastName} is ${pct(Math.abs(gap))} ${gap >= 0 ? 'above' : 'below'} ${slowName} with no crossing on ${day}: the strategy stays ${stance}.`;
  return {
    strategy: label,
    symbol: s.symbol,
    action,
    stance,
    reasoning,
    indicators: { [`sma_${fastN}`]: f1, [`sma_${slowN}`]: s1, close: s.close[n - 1] ?? Number.NaN },
  };
}

function meanReversion(label: string, s: CloseSeries, p: Record<string, unknown>): StrategySignal | null {
  const n = s.close.length;
  const close = s.close[n - 1];
  if (close === undefined) return null;
  const allowShort = p.short === true;
  if (p.mode === 'rsi') {
    const period = intParam(p, 'period', 14);
    const lower = numParam(p, 'lower', 30);
    const upper = numParam(p, 'upper', 70);
    if (n < period + 1) return null;
    const r = rsi(s.close, period)[n - 1] ?? Number.NaN;
    if (!Number.isFinite(r)) return null;
    const name = `RSI${period}`;
    if (r < lower)
      return {
        strategy: label,
        symbol: s.symbol,
        action: 'buy',
        stance: 'long',
        reasoning: `${name} at ${near(r, lower, upper)} is below ${lower}: oversold, so the strategy buys and expects a rebound.`,
        indicators: { [`rsi_${period}`]: r, close },
      };
    if (r > upper)
      return {
        strategy: label,
        symbol: s.symbol,
        action: 'sell',
        stance: allowShort ? 'short' : 'flat',
        reasoning: `${name} at ${near(r, lower, upper)} is above ${upper}: overbought, so the strategy ${allowShort ? 'sells short' : 'takes profit and exits'}.`,
        indicators: { [`rsi_${period}`]: r, close },
      };
    return {
      strategy: label,
      symbol: s.symbol,
      action: 'hold',
      stance: 'flat',
      reasoning: `${name} at ${near(r, lower, upper)} is between ${lower} and ${upper}: no extreme, no trade.`,
      indicators: { [`rsi_${period}`]: r, close },
    };
  }
  const window = intParam(p, 'window', 20);
  const k = numParam(p, 'k', 2);
  if (n < window) return null;
  const b = bollinger(s.close, window, k);
  const lo = b.lower[n - 1] ?? Number.NaN;
  const mid = b.middle[n - 1] ?? Number.NaN;
  const hi = b.upper[n - 1] ?? Number.NaN;
  if (![lo, mid, hi].every((x) => Number.isFinite(x))) return null;
  const indicators = { bb_lower: lo, bb_middle: mid, bb_upper: hi, close };
  const bands = `Bollinger(${window}, ${k})`;
  if (close < (lo as number))
    return {
      strategy: label,
      symbol: s.symbol,
      action: 'buy',
      stance: 'long',
      reasoning: `The close ${num(close)} is below the lower ${bands} band ${num(lo as number)}: stretched down, so the strategy buys for a return to the mean ${num(mid as number)}.`,
      indicators,
    };
  if (close > (hi as number) && allowShort)
    return {
      strategy: label,
      symbol: s.symbol,
      action: 'sell',
      stance: 'short',
      reasoning: `The close ${num(close)} is above the upper ${bands} band ${num(hi as number)}: stretched up, so the strategy sells short for a return to the mean.`,
      indicators,
    };
  return {
    strategy: label,
    symbol: s.symbol,
    action: 'hold',
    stance: 'flat',
    reasoning: `The close ${num(close)} is inside the ${bands} bands (${num(lo as number)} – ${num(hi as number)}): no trade.`,
    indicators,
  };
}

export interface SignalsResult {
  signals: StrategySignal[];
  skipped: { strategy: string; reason: string }[];
}

/** Signals of `definitions` (or the defaults when empty) over every non-stablecoin series. */
export function computeSignals(
  definitions: readonly StrategyDefinition[],
  series: readonly CloseSeries[],
): SignalsResult {
  const defs = definitions.length > 0 ? definitions : DEFAULT_SIGNAL_STRATEGIES;
  const signals: StrategySignal[] = [];
  const skipped: SignalsResult['skipped'] = [];
  for (const d of defs) {
    const builtin = builtinOf(d);
    const rule =
      builtin === 'ma-crossover' ? maCrossover : builtin === 'mean-reversion' ? meanReversion : null;
    if (!rule) {
      skipped.push({
        strategy: d.name,
        reason:
          d.kind === 'module'
            ? 'user module: run it with `marketpipe backtest`'
            : 'multi-asset or always-invested strategy: see its backtest',
      });
      continue;
    }
    const only = typeof d.params.symbol === 'string' ? d.params.symbol : null;
    for (const s of series) {
      if (only ? s.symbol !== only : s.asset_class === 'stablecoin') continue;
      const sig = rule(d.name, s, d.params);
      if (sig) signals.push(sig);
    }
  }
  const order = { buy: 0, sell: 1, hold: 2 } as const;
  signals.sort(
    (a, b) =>
      order[a.action] - order[b.action] ||
      a.strategy.localeCompare(b.strategy) ||
      a.symbol.localeCompare(b.symbol),
  );
  return { signals, skipped };
}
