import { describe, expect, it } from 'vitest';
import { Sma } from '../analytics/indicators/sma.ts';
import { backtest } from './backtest.ts';
import { conventionsOf } from './conventions.ts';
import { buyAndHold } from './strategies/buy-and-hold.ts';
import { maCrossover } from './strategies/ma-crossover.ts';
import { googSample } from './testing/goog.ts';

const goog = googSample();
const first = goog.close[0] ?? Number.NaN;
const last = goog.close[goog.close.length - 1] ?? Number.NaN;

describe('same_close: metrics count the first fill, as the final equity does (real GOOG bars)', () => {
  it('without fees buy-and-hold returns backtesting.py\'s published "Buy & Hold Return" 703.46 %', () => {
    const out = backtest([goog], buyAndHold(), { fill: 'same_close', initialCash: 10_000 });
    // 806.19 / 100.34 − 1 = 7.034582 (backtesting.py README: Buy & Hold Return [%] 703.46).
    expect(out.metrics.total_return).toBeCloseTo(7.0346, 4);
    expect(out.metrics.total_return).toBeCloseTo(last / first - 1, 12);
  });

  it('with a 0.2 % fee: 701.85 % = (806.19 / 100.34) / 1.002 − 1, not 703.46 %', () => {
    const out = backtest([goog], buyAndHold(), {
      fill: 'same_close',
      initialCash: 10_000,
      costs: { feeBps: 20 },
    });
    // Closed form: all cash buys q = cash / (100.34 · 1.002) shares, worth q · 806.19 at the end.
    const expected = last / first / 1.002 - 1;
    expect(expected).toBeCloseTo(7.0185, 4);
    expect(out.metrics.total_return).toBeCloseTo(expected, 9);
    const finalEquity = out.result.equity[out.result.equity.length - 1] ?? 0;
    expect(out.metrics.total_return).toBeCloseTo(finalEquity / 10_000 - 1, 12);
    // The benchmark runs with the same costs and fill model, so it agrees too.
    expect(out.benchmark.metrics.total_return).toBeCloseTo(expected, 9);
    // The fee is the first step's loss: the drawdown from the initial cash is at least 0.2 %/1.002.
    expect(out.metrics.max_drawdown).toBeGreaterThanOrEqual(0.002 / 1.002 - 1e-12);
  });

  it('next_open is unchanged: nothing trades on the first bar', () => {
    const out = backtest([goog], buyAndHold(), { initialCash: 10_000, costs: { feeBps: 20 } });
    const open1 = goog.open[1] ?? Number.NaN;
    expect(out.metrics.total_return).toBeCloseTo(last / open1 / 1.002 - 1, 9);
  });
});

describe('ma-crossover entry: on a cross (default) or on the starting state (real GOOG bars)', () => {
  // The SMA(10)/SMA(20) relation of every bar, computed independently of the strategy.
  const fast = new Sma(10);
  const slow = new Sma(20);
  const rel = Array.from(goog.close, (c) => {
    const f = fast.update(c);
    const s = slow.update(c);
    return f === null || s === null ? Number.NaN : Math.sign(f - s);
  });
  const warm = rel.findIndex((r) => !Number.isNaN(r));
  const firstCross = rel.findIndex((r, k) => k > warm && r !== 0 && r !== rel[k - 1]);
  const run = (entry?: string) =>
    backtest([goog], maCrossover({ fast: 10, slow: 20, ...(entry ? { entry } : {}) }), {
      initialCash: 10_000,
      skipBenchmark: true,
    });

  it('state enters on the bar after the warm-up; cross waits for the first cross', () => {
    expect(warm).toBe(19);
    // On GOOG the averages start with fast above slow (2004-09-16), so `state` buys a trend under way.
    expect(rel[warm]).toBe(1);
    expect(run('state').result.fills[0]?.ts).toBe(goog.ts[warm + 1]);
    // A long-only cross entry is the first crossing up after the first bar where both exist.
    const firstUp = rel.findIndex((r, k) => k > warm && r === 1 && rel[k - 1] !== 1);
    expect(firstUp).toBeGreaterThan(firstCross);
    const cross = run('cross');
    expect(cross.result.fills[0]?.ts).toBe(goog.ts[firstUp + 1]);
    expect(cross.result.fills[0]?.side).toBe('buy');
    expect(run().result.fills[0]?.ts).toBe(goog.ts[firstUp + 1]);
  });

  it('with short: true the first position is the first cross, down here (as backtesting.py SmaCross)', () => {
    const out = backtest([goog], maCrossover({ fast: 10, slow: 20, short: true }), {
      initialCash: 10_000,
      skipBenchmark: true,
    });
    expect(rel[firstCross]).toBe(-1);
    expect(out.result.fills[0]?.ts).toBe(goog.ts[firstCross + 1]);
    expect(out.result.fills[0]?.side).toBe('sell');
  });

  it('rejects an unknown entry mode', () => {
    expect(() => maCrossover({ entry: 'sometime' })).toThrow(/entry must be one of cross, state/);
  });
});

describe('conventions', () => {
  it('state fill, costs, rounding and annualisation', () => {
    expect(conventionsOf({ fill: 'same_close', costs: { feeBps: 20 }, initialCash: 10_000 }, 251.7)).toEqual({
      fill: 'same_close',
      fee_bps: 20,
      fee_on: 'notional_each_fill',
      fee_fixed: 0,
      slippage_bps: 0,
      fractional_shares: true,
      sharpe_annualisation: 'sqrt_periods_per_year',
      periods_per_year: 251.7,
      periods_per_year_from: 'bar_timestamps',
      initial_cash: 10_000,
    });
  });
});
