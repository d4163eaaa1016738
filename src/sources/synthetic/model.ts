/**
 * Parameters of the synthetic market: the common factors (their volatility, calendar and the real series
 * that drive them where the samples have them), levels for instruments without real data, currencies.
 * Volatilities come from calibrate.ts; the rest are documented long-run figures.
 */
import type { AssetClass } from '../../core/types.ts';
import type { Calibration } from './calibrate.ts';
import type { FactorName } from './exposures.ts';

/** When a process moves: NYSE trading days, every day (crypto), Monday–Friday (FX). */
export type StepCalendar = 'nyse' | 'daily' | 'fx';

export interface FactorSpec {
  /** Daily sd of the factor's own shocks. */
  vol: number;
  calendar: StepCalendar;
  /** Shocks inherited from other factors on the same day (crypto moves with equities). */
  parents?: ReadonlyArray<{ factor: FactorName; beta: number }>;
  /**
   * Real series whose log returns ARE the factor's moves where they exist (`scale` × return): the first
   * available one (`first`) or the mean of the available ones (`mean`).
   */
  proxies?: ReadonlyArray<{ symbol: string; scale: number }>;
  proxyMode?: 'first' | 'mean';
}

/** Share of an equity's residual variance that is common to its sector. */
export const SECTOR_SHARE = 0.5;

export function factorSpec(name: FactorName, c: Calibration): FactorSpec {
  if (name.startsWith('sector:'))
    return { vol: c.equityResidualVol * Math.sqrt(SECTOR_SHARE), calendar: 'nyse' };
  switch (name) {
    case 'market':
      return {
        vol: c.marketVol,
        calendar: 'nyse',
        proxies: [
          { symbol: 'SPY', scale: 1 },
          { symbol: 'VOO', scale: 1 },
        ],
      };
    case 'crypto': {
      // Own shocks sized so that BTC's total daily variance matches the real one (market moves 5 days in 7).
      const fromMarket = (c.cryptoMarketBeta * c.marketVol) ** 2 * (5 / 7);
      return {
        vol: Math.sqrt(Math.max(c.cryptoVol ** 2 - fromMarket, (0.5 * c.cryptoVol) ** 2)),
        calendar: 'daily',
        parents: [{ factor: 'market', beta: c.cryptoMarketBeta }],
        proxies: [
          { symbol: 'BTC', scale: 1 },
          { symbol: 'ETH', scale: 1 / c.altBeta },
        ],
      };
    }
    case 'usd':
      // USD strength: minus the mean move of the real legs' foreign currencies.
      return {
        vol: c.fxVol * Math.sqrt(c.fxCommonShare),
        calendar: 'fx',
        proxies: [
          { symbol: 'EUR_USD', scale: -1 },
          { symbol: 'GBP_USD', scale: -1 },
          { symbol: 'USD_JPY', scale: 1 },
        ],
        proxyMode: 'mean',
      };
    // Long-run daily sds: 7–10y Treasury total return ≈ 0.6 %, IG credit spread ≈ 0.3 %, gold ≈ 0.9 %, WTI ≈ 2.2 %.
    case 'rates':
      return { vol: 0.006, calendar: 'nyse' };
    case 'credit':
      return { vol: 0.003, calendar: 'nyse', parents: [{ factor: 'market', beta: 0.15 }] };
    case 'gold':
      return { vol: 0.009, calendar: 'nyse' };
    case 'oil':
      return { vol: 0.022, calendar: 'nyse', parents: [{ factor: 'market', beta: 0.5 }] };
    default:
      return { vol: 0.01, calendar: 'nyse' };
  }
}

/** Currencies by USD value at LEVEL_DAY (2024-01-01) and loading on USD strength (SGD is managed). */
export const CURRENCIES: Readonly<Record<string, { usdValue: number; usdBeta: number }>> = Object.freeze({
  EUR: { usdValue: 1.1, usdBeta: 1 },
  GBP: { usdValue: 1.27, usdBeta: 1 },
  JPY: { usdValue: 1 / 141, usdBeta: 0.9 },
  CHF: { usdValue: 1 / 0.84, usdBeta: 0.9 },
  AUD: { usdValue: 0.68, usdBeta: 1.1 },
  CAD: { usdValue: 1 / 1.32, usdBeta: 0.7 },
  NZD: { usdValue: 0.63, usdBeta: 1.1 },
  SGD: { usdValue: 1 / 1.32, usdBeta: 0.5 },
});

/** Levels at LEVEL_DAY (2024-01-01) for instruments the samples do not anchor; others are hashed. */
export const KNOWN_LEVELS: Readonly<Record<string, number>> = Object.freeze({
  SOL: 100,
  BNB: 310,
  XRP: 0.62,
  ADA: 0.6,
  DOGE: 0.09,
  AVAX: 38,
  DOT: 8.3,
  LINK: 15,
  QQQ: 410,
  IWM: 200,
  DIA: 377,
  VTI: 237,
  EFA: 75,
  EEM: 40,
  AGG: 99,
  TLT: 99,
  IEF: 96,
  SHY: 82,
  LQD: 110,
  HYG: 77,
  GLD: 190,
  SLV: 21,
  USO: 65,
  XLF: 37,
  XLK: 190,
  XLE: 84,
  XLV: 136,
  XLY: 178,
  XLP: 71,
  XLI: 113,
  XLU: 63,
  VNQ: 88,
  ARKK: 52,
  SMH: 170,
  SOXX: 560,
  IBIT: 25,
  MSFT: 376,
  NVDA: 49,
  AMZN: 151,
  GOOGL: 140,
  META: 353,
  TSLA: 248,
  JPM: 170,
});

/** Typical daily volume by class (units of the asset), scaled down for intraday bars. */
export const TYPICAL_VOLUME: Readonly<Record<Exclude<AssetClass, 'economic'>, number>> = Object.freeze({
  equity: 5e6,
  etf: 2e7,
  index: 0,
  crypto: 2e4,
  fx: 1e5,
  stablecoin: 1e9,
});

/** Stablecoins: daily sd around the peg and the daily pull back to it (CMC USDC 2022–2023 quiet days). */
export const PEG_NOISE = Object.freeze({ vol: 0.0006, reversion: 0.5 });
/** Days for a stablecoin to forget half of its last real deviation from the peg. */
export const PEG_HALF_LIFE_DAYS = 3;
