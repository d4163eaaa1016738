import { ValidationError } from '../core/errors.ts';
import type { Trade } from './types.ts';

const YEAR_MS = 365.25 * 86_400_000;

/** Performance metrics of one equity curve. Ratios are annualised with `periods_per_year`. */
export interface Metrics {
  total_return: number;
  cagr: number;
  volatility: number;
  sharpe: number;
  sortino: number;
  calmar: number;
  /** Largest peak-to-trough fall, as a positive fraction. */
  max_drawdown: number;
  /** Steps from the worst drawdown's peak until equity regained that peak (or the end). */
  max_drawdown_bars: number;
  max_drawdown_days: number;
  trades: number;
  win_rate: number;
  profit_factor: number;
  /** Mean net P&L per closed trade (account currency). */
  expectancy: number;
  /** Share of steps with any position open. */
  exposure: number;
  /** Traded notional per year divided by mean equity. */
  turnover: number;
  periods_per_year: number;
  years: number;
}

export interface MetricsInput {
  ts: ArrayLike<number>;
  equity: ArrayLike<number>;
  trades?: readonly Trade[];
  /** Gross exposure / equity per step. */
  exposure?: ArrayLike<number>;
  tradedNotional?: number;
  /** Overrides the rate inferred from the timestamps (252 for exchange days, 365 for crypto…). */
  periodsPerYear?: number;
  /** Annual risk-free rate for Sharpe/Sortino. @defaultValue 0 */
  riskFree?: number;
  /**
   * Equity before anything traded (the initial cash). When it differs from `equity[0]` — a `same_close` fill
   * on the first bar already paid its fee — it is the curve's starting point, so every metric counts that
   * first fill as the final equity does. @defaultValue equity[0]
   */
  initialEquity?: number;
}

/**
 * Steps per year inferred from the data: (n − 1) / elapsed years. Exchange-day data gives ≈ 252, crypto daily
 * ≈ 365, hourly crypto ≈ 8766 — so calendars come from the timestamps, not from a guess.
 */
export function inferPeriodsPerYear(ts: ArrayLike<number>): number {
  const n = ts.length;
  if (n < 2) return 252;
  const years = ((ts[n - 1] ?? 0) - (ts[0] ?? 0)) / YEAR_MS;
  return years > 0 ? (n - 1) / years : 252;
}

export function drawdown(equity: ArrayLike<number>): {
  max: number;
  bars: number;
  peakIndex: number;
  troughIndex: number;
} {
  let peak = Number.NEGATIVE_INFINITY;
  let peakIdx = 0;
  let max = 0;
  let maxPeak = 0;
  let maxTrough = 0;
  for (let k = 0; k < equity.length; k++) {
    const e = equity[k] ?? 0;
    if (e > peak) {
      peak = e;
      peakIdx = k;
    } else if (peak > 0) {
      const dd = (peak - e) / peak;
      if (dd > max) {
        max = dd;
        maxPeak = peakIdx;
        maxTrough = k;
      }
    }
  }
  let recover = equity.length - 1;
  const peakValue = equity[maxPeak] ?? 0;
  for (let k = maxTrough; k < equity.length; k++) {
    if ((equity[k] ?? 0) >= peakValue) {
      recover = k;
      break;
    }
  }
  return { max, bars: max === 0 ? 0 : recover - maxPeak, peakIndex: maxPeak, troughIndex: maxTrough };
}

export function computeMetrics(input: MetricsInput): Metrics {
  const { ts } = input;
  const n = input.equity.length;
  if (n !== ts.length) throw new ValidationError(`equity has ${n} values but ts has ${ts.length}`);
  if (n < 2) throw new ValidationError(`metrics need at least 2 equity values, got ${n}`);
  const ppy = input.periodsPerYear ?? inferPeriodsPerYear(ts);
  const rfPer = (input.riskFree ?? 0) / ppy;
  // A first-bar fill (same_close) moved equity before the first mark: start the curve one point earlier, at
  // the initial equity, on the same timestamp (it adds a return, not time). `shift` maps curve → ts index.
  const start = input.initialEquity;
  const shift = start !== undefined && start !== input.equity[0] ? 1 : 0;
  let equity: ArrayLike<number> = input.equity;
  if (shift === 1) {
    // Copied, not spread: a spread of a million values would overflow the call stack.
    const curve = new Float64Array(n + 1);
    curve[0] = start ?? 0;
    for (let k = 0; k < n; k++) curve[k + 1] = input.equity[k] ?? 0;
    equity = curve;
  }
  const len = n + shift;
  const first = equity[0] ?? 0;
  const lastE = equity[len - 1] ?? 0;
  let sum = 0;
  let sumSq = 0;
  let downSq = 0;
  let sumEq = 0;
  for (let k = 1; k < len; k++) {
    const prev = equity[k - 1] ?? 0;
    const r = prev === 0 ? 0 : (equity[k] ?? 0) / prev - 1 - rfPer;
    sum += r;
    sumSq += r * r;
    if (r < 0) downSq += r * r;
  }
  for (let k = shift; k < len; k++) sumEq += equity[k] ?? 0;
  const m = len - 1;
  const mean = sum / m;
  const sd = m > 1 ? Math.sqrt(Math.max(0, (sumSq - m * mean * mean) / (m - 1))) : 0;
  const downside = Math.sqrt(downSq / m);
  const years = (n - 1) / ppy;
  const totalReturn = first === 0 ? 0 : lastE / first - 1;
  const cagr =
    years > 0 && lastE > 0 && first > 0 ? (lastE / first) ** (1 / years) - 1 : totalReturn <= -1 ? -1 : 0;
  const curveDd = drawdown(equity);
  const dd = {
    ...curveDd,
    peakIndex: Math.max(0, curveDd.peakIndex - shift),
    bars: curveDd.bars - (shift === 1 && curveDd.peakIndex === 0 && curveDd.bars > 0 ? 1 : 0),
  };
  const trades = input.trades ?? [];
  let wins = 0;
  let grossWin = 0;
  let grossLoss = 0;
  let pnl = 0;
  for (const t of trades) {
    pnl += t.pnl;
    if (t.pnl > 0) {
      wins++;
      grossWin += t.pnl;
    } else grossLoss -= t.pnl;
  }
  let exposed = 0;
  if (input.exposure !== undefined)
    for (let k = 0; k < n; k++) if ((input.exposure[k] ?? 0) > 1e-12) exposed++;
  const stepMs = n > 1 ? ((ts[n - 1] ?? 0) - (ts[0] ?? 0)) / (n - 1) : 0;
  const meanEq = sumEq / n;
  return {
    total_return: totalReturn,
    cagr,
    volatility: sd * Math.sqrt(ppy),
    sharpe: sd > 0 ? (mean / sd) * Math.sqrt(ppy) : 0,
    sortino: downside > 0 ? (mean / downside) * Math.sqrt(ppy) : 0,
    calmar: dd.max > 0 ? cagr / dd.max : 0,
    max_drawdown: dd.max,
    max_drawdown_bars: dd.bars,
    max_drawdown_days:
      ((ts[Math.min(n - 1, dd.peakIndex + dd.bars)] ?? 0) - (ts[dd.peakIndex] ?? 0)) / 86_400_000 ||
      (dd.bars * stepMs) / 86_400_000,
    trades: trades.length,
    win_rate: trades.length === 0 ? 0 : wins / trades.length,
    profit_factor: grossLoss > 0 ? grossWin / grossLoss : grossWin > 0 ? Number.POSITIVE_INFINITY : 0,
    expectancy: trades.length === 0 ? 0 : pnl / trades.length,
    exposure: input.exposure === undefined ? 0 : exposed / n,
    turnover: years > 0 && meanEq > 0 ? (input.tradedNotional ?? 0) / years / meanEq : 0,
    periods_per_year: ppy,
    years,
  };
}
