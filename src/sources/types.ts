/**
 * The price-source contract every provider client implements (`Source`) and the names of the built-in ones.
 * Kept apart from the registry (`source.ts`, which imports every client) so clients can implement it
 * without importing the registry back.
 */
import type { AssetClass, Bar, Instrument, Interval, PricePoint, TimeRange } from '../core/types.ts';

export const SOURCE_NAMES = [
  'coingecko',
  'polygon',
  'oanda',
  'yahoo',
  'binance',
  'defillama',
  'synthetic',
] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

export interface FetchOptions {
  /** Aborts in-flight requests and backoff sleeps; the iterator then throws the signal's reason. */
  signal?: AbortSignal;
}

/** Latest prices for many instruments: some may fail without failing the others. */
export interface LatestResult {
  items: PricePoint[];
  errors: Array<{ symbol: string; error: Error }>;
}

/** What `marketpipe sources check` shows for one provider. */
export interface SourceCheck {
  source: string;
  ok: boolean;
  /** Round trip of the test request, ms. */
  latency_ms: number;
  /** True when the provider accepted our credentials, or needs none. */
  authenticated: boolean;
  /** Requests (or weight) left in the provider's current window when it says; else our own bucket's tokens. */
  rate_limit_remaining?: number;
  test_symbol: string;
  error?: string;
}

export interface Source {
  readonly name: SourceName | (string & {});
  /** Asset classes this provider carries. */
  readonly assetClasses: readonly AssetClass[];
  /** Intervals `fetchBars` can return natively. */
  readonly intervals: readonly Interval[];
  /** False when a required API key is missing: the pipeline should skip to the next source. */
  readonly configured: boolean;
  /** Provider symbol asked for by `check()` (e.g. `AAPL`, `bitcoin`, `EUR_USD`). */
  readonly testSymbol: string;

  /** The provider's symbol for `instrument` (`instrument.sources[name]`), or undefined when it has none. */
  providerSymbol(instrument: Instrument): string | undefined;
  /** The asset class is carried, a provider symbol is known and (when given) the interval is native. */
  supports(instrument: Instrument, interval?: Interval): boolean;
  /**
   * Bars opening in `[range.from, range.to)`, page by page. Within and across pages: ascending `ts`, no
   * duplicates, complete bars only (a bar still forming at `now` is left out), UTC epoch ms. Daily bars are
   * keyed at 00:00 UTC of their trading date. An empty range yields nothing; an unknown symbol throws
   * ProviderNotFoundError.
   */
  fetchBars(
    instrument: Instrument,
    interval: Interval,
    range: TimeRange,
    options?: FetchOptions,
  ): AsyncIterable<Bar[]>;
  /** Latest price per instrument; `PricePoint.symbol` is our symbol, `source` this provider's name. */
  fetchLatest(instruments: readonly Instrument[], options?: FetchOptions): Promise<LatestResult>;
  /** Asks for `testSymbol` and reports reachability, auth, quota headroom and latency. Never throws. */
  check(options?: FetchOptions): Promise<SourceCheck>;
}

// ---------------------------------------------------------------------------------------------------------
// Registry

/** Base URL, key and limit overrides per provider, as the settings module reads them from the environment. */
