import { describe, expect, it } from 'vitest';
import { computeMetrics, drawdown, inferPeriodsPerYear } from './metrics.ts';
import type { Trade } from './types.ts';

const DAY = 86_400_000;
const trade = (pnl: number): Trade => ({
  symbol: 'X',
  entryTs: 0,
  exitTs: 1,
  qty: 1,
  entryPrice: 1,
  exitPrice: 1,
  pnl,
  returnPct: pnl,
  bars: 1,
});

describe('metrics against hand computation', () => {
  // Equity 100 → 110 → 99 → 108.9: returns +10 %, −10 %, +10 %.
  const equity = [100, 110, 99, 108.9];
  const ts = equity.map((_, k) => k * DAY);
  const m = computeMetrics({
    ts,
    equity,
    periodsPerYear: 252,
    trades: [trade(10), trade(-5), trade(3)],
    exposure: [0, 1, 1, 0.5],
    tradedNotional: 300,
  });

  it('returns, volatility, Sharpe, Sortino', () => {
    expect(m.total_return).toBeCloseTo(0.089, 12);
    // mean = 0.1/3; sample sd = √(((0.2/3)²·2 + (0.4/3)²)/2) = √(0.0133…) = 0.11547
    const mean = 0.1 / 3;
    const sd = Math.sqrt(((0.2 / 3) ** 2 * 2 + (0.4 / 3) ** 2) / 2);
    expect(m.volatility).toBeCloseTo(sd * Math.sqrt(252), 10);
    expect(m.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(252), 10);
    // downside deviation = √(0.01 / 3) over all periods
    expect(m.sortino).toBeCloseTo((mean / Math.sqrt(0.01 / 3)) * Math.sqrt(252), 10);
    expect(m.years).toBeCloseTo(3 / 252, 12);
    expect(m.cagr).toBeCloseTo(1.089 ** 84 - 1, 6);
  });

  it('drawdown: 10 % from 110 to 99, not recovered by the end (2 bars)', () => {
    expect(m.max_drawdown).toBeCloseTo(0.1, 12);
    expect(m.max_drawdown_bars).toBe(2);
    expect(m.max_drawdown_days).toBe(2);
    expect(m.calmar).toBeCloseTo(m.cagr / 0.1, 8);
  });

  it('trade statistics, exposure and turnover', () => {
    expect(m.trades).toBe(3);
    expect(m.win_rate).toBeCloseTo(2 / 3, 12);
    expect(m.profit_factor).toBeCloseTo(13 / 5, 12);
    expect(m.expectancy).toBeCloseTo(8 / 3, 12);
    expect(m.exposure).toBe(0.75);
    // 300 traded over 3/252 years, mean equity 104.475
    expect(m.turnover).toBeCloseTo(300 / (3 / 252) / 104.475, 8);
  });

  it('drawdown duration counts until the peak is regained', () => {
    expect(drawdown([100, 80, 90, 100, 101]).bars).toBe(3);
    expect(drawdown([100, 101, 102]).max).toBe(0);
  });

  it('infers periods per year from timestamps: 365 for daily crypto, ≈ 8766 for hourly', () => {
    const daily = Array.from({ length: 366 }, (_, k) => k * DAY);
    // 365 steps over 365 days = 365/365.25 years → 365.25 per year
    expect(inferPeriodsPerYear(daily)).toBeCloseTo(365.25, 9);
    const hourly = Array.from({ length: 1001 }, (_, k) => k * 3_600_000);
    expect(inferPeriodsPerYear(hourly)).toBeCloseTo(8766, 6);
  });

  it('rejects mismatched lengths', () => {
    expect(() => computeMetrics({ ts: [1, 2], equity: [1] })).toThrow(/equity has 1 values but ts has 2/);
  });
});

describe('initialEquity: a first-bar fill counts in every metric', () => {
  it('total return, drawdown and the first return start from the initial equity', () => {
    // 1000 cash; a first-bar fill pays 10, then the position doubles: 990 → 1980.
    const m = computeMetrics({ ts: [0, DAY], equity: [990, 1980], periodsPerYear: 365, initialEquity: 1000 });
    expect(m.total_return).toBeCloseTo(0.98, 12);
    expect(m.max_drawdown).toBeCloseTo(0.01, 12);
    expect(m.years).toBeCloseTo(1 / 365, 12);
  });

  it('handles a million-bar curve (no spread of its values)', () => {
    const n = 1_000_000;
    const equity = Float64Array.from({ length: n }, (_, k) => 999 + k * 1e-3);
    const ts = Float64Array.from({ length: n }, (_, k) => k * DAY);
    const m = computeMetrics({ ts, equity, initialEquity: 1000, periodsPerYear: 365 });
    expect(m.total_return).toBeCloseTo((999 + (n - 1) * 1e-3) / 1000 - 1, 9);
  });
});
