/** Domain types shared by every layer. Times are UTC epoch milliseconds unless a name says otherwise. */

export const ASSET_CLASSES = ['equity', 'etf', 'crypto', 'fx', 'stablecoin', 'index', 'economic'] as const;
export type AssetClass = (typeof ASSET_CLASSES)[number];

export const INTERVALS = ['1m', '5m', '15m', '30m', '1h', '4h', '1d'] as const;
export type Interval = (typeof INTERVALS)[number];

/** Length of each interval in milliseconds. */
export const INTERVAL_MS: Readonly<Record<Interval, number>> = Object.freeze({
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
});

export function isInterval(value: string): value is Interval {
  return (INTERVALS as readonly string[]).includes(value);
}

export function isAssetClass(value: string): value is AssetClass {
  return (ASSET_CLASSES as readonly string[]).includes(value);
}

/** One instrument as users name it: `AAPL`, `BTC`, `USDC`, `EUR_USD`, `CPIAUCSL`. */
export interface Instrument {
  symbol: string;
  assetClass: AssetClass;
  name: string;
  currency: string;
  exchange?: string | null;
  /** IANA time zone of the instrument's trading venue (e.g. `America/New_York`); UTC for 24/7 markets. */
  timezone: string;
  /** Price the asset is meant to hold (stablecoins: 1.0); null when not pegged. */
  pegTarget?: number | null;
  active?: boolean;
  /** Provider → provider symbol, e.g. `{ coingecko: 'usd-coin', binance: 'USDCUSDT' }`. */
  sources?: Record<string, string>;
}

/** One OHLCV bar; `ts` is the bar's open time in UTC epoch ms. */
export interface Bar {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** A bar as stored: with its instrument, interval, source and quality fields. */
export interface StoredBar extends Bar {
  symbol: string;
  interval: Interval;
  source: string;
  qualityScore?: number;
  isOutlier?: boolean;
}

/** A point observation (e.g. a CoinGecko price tick, a latest quote). */
export interface PricePoint {
  symbol: string;
  ts: number;
  price: number;
  source: string;
  volume?: number | null;
  marketCap?: number | null;
  qualityScore?: number;
  isOutlier?: boolean;
}

/** A half-open time range [from, to) in UTC epoch ms. */
export interface TimeRange {
  from: number;
  to: number;
}

/** Summary every load reports (import, ingest, backfill). `read = stored + unchanged + quarantined + failed`. */
export interface LoadSummary {
  read: number;
  stored: number;
  unchanged: number;
  quarantined: number;
  failed: number;
  duration_ms: number;
  instruments: Array<{
    symbol: string;
    stored: number;
    quarantined: number;
    unchanged?: number;
    error?: string;
  }>;
}
