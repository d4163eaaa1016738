/**
 * Calibration of the synthetic factor model on the real samples: daily volatilities and betas measured on
 * real closes (SPY for the equity market, AAPL for a large cap against it, BTC for crypto, ETH against BTC,
 * the OANDA legs for FX). Measured once per process from samples/, so the synthetic market moves like the
 * real one the project ships.
 */
import { ensureDefined } from '../../core/assert.ts';
import { DAY_MS } from '../../core/time.ts';
import type { RealSamples } from './real-samples.ts';

export interface Calibration {
  /** SPY daily log-return sd (≈ 1.1 % over 2022–2026). */
  marketVol: number;
  /** AAPL on SPY: beta and residual sd (residual split between sector and stock). */
  equityBeta: number;
  equityResidualVol: number;
  /** BTC daily log-return sd (all days) and its beta on SPY over trading-day steps. */
  cryptoVol: number;
  cryptoMarketBeta: number;
  /** ETH on BTC: beta and residual sd — the template for the other coins. */
  altBeta: number;
  altResidualVol: number;
  /** Daily sd of a USD leg, and the share of it common to USD (EUR_USD/GBP_USD correlation, real legs). */
  fxVol: number;
  fxCommonShare: number;
}

/** Used for any figure the samples cannot give (documented long-run values). */
const DEFAULT_CALIBRATION: Calibration = Object.freeze({
  marketVol: 0.011,
  equityBeta: 1.2,
  equityResidualVol: 0.012,
  cryptoVol: 0.033,
  cryptoMarketBeta: 1.2,
  altBeta: 1.15,
  altResidualVol: 0.022,
  fxVol: 0.005,
  fxCommonShare: 0.6,
});

/** Daily closes of a series by UTC day index (daily bars, or the last hourly close of each day). */
export function dailyCloses(samples: RealSamples, symbol: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of samples.series) {
    if (s.symbol !== symbol) continue;
    for (const b of s.bars) {
      const day = Math.floor(b.ts / DAY_MS);
      if (s.interval === '1d') out.set(day, b.close);
      // An hourly close counts for its day only when no daily bar gives one; the last hour of the day wins.
      else if (!samples.series.some((o) => o.symbol === symbol && o.interval === '1d' && hasDay(o.bars, day)))
        out.set(Math.floor((b.ts + 3_600_000 - 1) / DAY_MS), b.close);
    }
  }
  return out;
}

function hasDay(bars: readonly { ts: number }[], day: number): boolean {
  const first = bars[0];
  const last = bars.at(-1);
  return first !== undefined && last !== undefined && first.ts <= day * DAY_MS && last.ts >= day * DAY_MS;
}

/** Log returns between consecutive entries of `closes` (sorted by day). */
function returns(closes: ReadonlyMap<number, number>): Map<number, number> {
  const days = [...closes.keys()].sort((a, b) => a - b);
  const out = new Map<number, number>();
  let prev: number | undefined;
  for (const d of days) {
    if (prev !== undefined)
      out.set(d, Math.log(ensureDefined(closes.get(d)) / ensureDefined(closes.get(prev))));
    prev = d;
  }
  return out;
}

function sd(xs: readonly number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
}

/** OLS of y on x over their common keys: beta and residual sd. */
function regress(
  y: ReadonlyMap<number, number>,
  x: ReadonlyMap<number, number>,
  minPairs = 60,
): { beta: number; resid: number } | null {
  const pairs: Array<[number, number]> = [];
  for (const [k, v] of y) {
    const u = x.get(k);
    if (u !== undefined) pairs.push([u, v]);
  }
  if (pairs.length < minPairs) return null;
  const mx = pairs.reduce((a, p) => a + p[0], 0) / pairs.length;
  const my = pairs.reduce((a, p) => a + p[1], 0) / pairs.length;
  let sxy = 0;
  let sxx = 0;
  for (const [u, v] of pairs) {
    sxy += (u - mx) * (v - my);
    sxx += (u - mx) ** 2;
  }
  const beta = sxy / sxx;
  return { beta, resid: sd(pairs.map(([u, v]) => v - my - beta * (u - mx))) };
}

/** Resamples `closes` at the days of `grid` (the last close at or before each grid day). */
function onGrid(closes: ReadonlyMap<number, number>, grid: Iterable<number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of grid) {
    const c = closes.get(d);
    if (c !== undefined) out.set(d, c);
  }
  return out;
}

export function calibrate(samples: RealSamples): Calibration {
  const c = { ...DEFAULT_CALIBRATION };
  const spy = dailyCloses(samples, 'SPY');
  const rSpy = returns(spy);
  if (rSpy.size > 60) c.marketVol = sd([...rSpy.values()]);
  const aapl = regress(returns(onGrid(dailyCloses(samples, 'AAPL'), spy.keys())), rSpy);
  if (aapl) {
    c.equityBeta = aapl.beta;
    c.equityResidualVol = aapl.resid;
  }
  const btc = dailyCloses(samples, 'BTC');
  const rBtc = returns(btc);
  if (rBtc.size > 60) c.cryptoVol = sd([...rBtc.values()]);
  const btcOnSpy = regress(returns(onGrid(btc, spy.keys())), rSpy);
  if (btcOnSpy) c.cryptoMarketBeta = btcOnSpy.beta;
  const eth = regress(returns(dailyCloses(samples, 'ETH')), rBtc);
  if (eth) {
    c.altBeta = eth.beta;
    c.altResidualVol = eth.resid;
  }
  // The shipped OANDA window is the March 2020 crash (EUR_USD 0.8 %/day, GBP_USD 1.3 %/day): its volatility
  // is a crisis level, so FX keeps the long-run 0.5 %/day and takes only the co-movement from the window.
  const legs = ['EUR_USD', 'GBP_USD', 'USD_JPY'].map((s) => returns(dailyCloses(samples, s)));
  const [eur, gbp] = legs;
  const eg = eur && gbp ? regress(eur, gbp, 15) : null;
  // Common share ≈ correlation of EUR_USD and GBP_USD (each currency loads equally on USD).
  if (eg && eur && gbp) {
    const corr = (eg.beta * sd([...gbp.values()])) / sd([...eur.values()]);
    if (corr > 0.1 && corr < 0.95) c.fxCommonShare = corr;
  }
  return c;
}
