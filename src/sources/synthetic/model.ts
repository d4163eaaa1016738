/** Parameters of the synthetic markets: volatility by asset class, starting levels, stablecoin depegs. */
import type { AssetClass } from '../../core/types.ts';

export interface WalkParams {
  /** Standard deviation of daily log returns (1.5 % for equities, 4 % crypto, 0.5 % FX). */
  dailyVol: number;
  /** Mean daily log drift of the trend line. */
  drift: number;
  /**
   * Daily pull of the log price back to its trend (Ornstein–Uhlenbeck); keeps decades-long walks in a
   * believable band. Stationary spread ≈ dailyVol / √(2·reversion).
   */
  reversion: number;
  /** Typical daily volume (units of the asset). */
  volume: number;
}

/** Daily vols from long-run realised figures: S&P 500 names ~1.5 %/day, BTC ~4 %/day, G10 FX ~0.5 %/day. */
export const WALK_PARAMS: Readonly<Record<Exclude<AssetClass, 'economic'>, WalkParams>> = Object.freeze({
  equity: { dailyVol: 0.015, drift: 0.0003, reversion: 1 / 250, volume: 5e6 },
  etf: { dailyVol: 0.012, drift: 0.0003, reversion: 1 / 250, volume: 2e7 },
  index: { dailyVol: 0.011, drift: 0.0003, reversion: 1 / 250, volume: 0 },
  crypto: { dailyVol: 0.04, drift: 0.0005, reversion: 1 / 250, volume: 2e4 },
  fx: { dailyVol: 0.005, drift: 0, reversion: 1 / 250, volume: 1e5 },
  // Stablecoins: a tight band around the peg (≈ ±0.1 %), strongly pulled back; depegs come from episodes.
  stablecoin: { dailyVol: 0.0006, drift: 0, reversion: 0.5, volume: 1e9 },
});

/** Levels around 2024 for well-known symbols; others get a level hashed from the symbol. */
export const KNOWN_LEVELS: Readonly<Record<string, number>> = Object.freeze({
  BTC: 40_000,
  ETH: 2_300,
  SOL: 100,
  SPY: 470,
  QQQ: 400,
  AAPL: 185,
  MSFT: 370,
  NVDA: 480,
  EUR_USD: 1.09,
  GBP_USD: 1.27,
  USD_JPY: 145,
  USD_CHF: 0.86,
  AUD_USD: 0.67,
  USD_CAD: 1.34,
});

/** A stablecoin losing its peg: price slides to `trough` over the first quarter, holds, recovers by the end. */
export interface DepegEpisode {
  symbol: string;
  /** Start, epoch ms UTC. */
  start: number;
  /** Length, ms. */
  durationMs: number;
  /** Lowest price reached (peg 1.0). */
  trough: number;
  note: string;
}

const HOUR = 3_600_000;

/** Real episodes, simplified: USDC/DAI after SVB (March 2023), USDT after Terra (May 2022). */
export const DEPEG_EPISODES: readonly DepegEpisode[] = Object.freeze([
  {
    symbol: 'USDC',
    start: Date.UTC(2023, 2, 10, 12),
    durationMs: 48 * HOUR,
    trough: 0.88,
    note: 'SVB exposure, Mar 2023',
  },
  {
    symbol: 'DAI',
    start: Date.UTC(2023, 2, 10, 12),
    durationMs: 48 * HOUR,
    trough: 0.96,
    note: 'USDC collateral, Mar 2023',
  },
  {
    symbol: 'USDT',
    start: Date.UTC(2022, 4, 12),
    durationMs: 36 * HOUR,
    trough: 0.95,
    note: 'Terra/UST collapse, May 2022',
  },
]);

/** Multiplicative depeg factor at `ts` (1 outside episodes). */
export function depegFactor(episodes: readonly DepegEpisode[], ts: number): number {
  let factor = 1;
  for (const e of episodes) {
    const x = (ts - e.start) / e.durationMs;
    if (x <= 0 || x >= 1) continue;
    const depth = x < 0.25 ? x / 0.25 : x < 0.5 ? 1 : (1 - x) / 0.5;
    factor = Math.min(factor, 1 - (1 - e.trough) * depth);
  }
  return factor;
}
