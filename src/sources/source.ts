/** The contract every market-data connector fulfils, and the registry of them (`createSources`). */
import type { AssetClass, Bar, Instrument, Interval, PricePoint, TimeRange } from '../core/types.ts';
import { BinanceSource } from './binance/client.ts';
import { type CoinGeckoPlan, CoinGeckoSource } from './coingecko/client.ts';
import type { HttpEvent, ProviderLimits } from './http.ts';
import { OandaSource } from './oanda/client.ts';
import type { OandaPrice } from './oanda/mapping.ts';
import { PolygonSource } from './polygon/client.ts';
import type { Clock, RateLimiterFactory } from './rate-limit.ts';
import type { ProviderOptions } from './support.ts';
import { SyntheticSource } from './synthetic/client.ts';
import type { SyntheticOptions } from './synthetic/generator.ts';
import { YahooSource } from './yahoo/client.ts';

export const SOURCE_NAMES = ['coingecko', 'polygon', 'oanda', 'yahoo', 'binance', 'synthetic'] as const;
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
export interface SourceSettings {
  /** `settings.providers` from src/settings.ts: `<PROVIDER>_BASE_URL` / `<PROVIDER>_API_KEY` per provider. */
  providers?: Partial<Record<string, { baseUrl?: string; apiKey?: string }>>;
  /** Flat alternative to `providers` (wins over it). */
  baseUrls?: Partial<Record<string, string>>;
  /** Flat alternative to `providers` (wins over it). */
  apiKeys?: Partial<Record<string, string>>;
  /** Rate limit / concurrency / timeout / retry overrides per provider. */
  limits?: Partial<Record<string, Partial<ProviderLimits>>>;
  /** `USE_MOCK_DATA=true`: every provider name maps to the synthetic source (offline mode). */
  useMockData?: boolean;
}

export interface CreateSourcesOptions {
  /** @defaultValue systemClock */
  clock?: Clock;
  /** Builds each provider's rate limiter (`sharedRateLimiter` when scaled out). @defaultValue a TokenBucket each */
  rateLimiter?: RateLimiterFactory;
  /** Backoff jitter source. @defaultValue Math.random */
  random?: () => number;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /** Called after every HTTP attempt of any provider (URL redacted). */
  onEvent?: (event: HttpEvent) => void;
  /** CoinGecko key type. @defaultValue inferred from the base URL ('pro' on pro-api.coingecko.com) */
  coingeckoPlan?: CoinGeckoPlan;
  /** OANDA side of the book. @defaultValue 'M' */
  oandaPrice?: OandaPrice;
  /** Seed and depeg switch of the synthetic source. */
  synthetic?: SyntheticOptions;
}

/**
 * Builds every connector once (one HTTP client, hence one rate limit, per provider). A plain map: callers
 * look sources up by name and read `configured` to skip those missing a key.
 */
export function createSources(
  settings: SourceSettings = {},
  options: CreateSourcesOptions = {},
): Record<SourceName, Source> {
  const synthetic = new SyntheticSource({ ...options.synthetic, clock: options.clock });
  if (settings.useMockData) {
    return {
      coingecko: synthetic,
      polygon: synthetic,
      oanda: synthetic,
      yahoo: synthetic,
      binance: synthetic,
      synthetic,
    };
  }
  const common = (name: SourceName): ProviderOptions => ({
    baseUrl: settings.baseUrls?.[name] ?? settings.providers?.[name]?.baseUrl,
    apiKey: settings.apiKeys?.[name] ?? settings.providers?.[name]?.apiKey,
    limits: settings.limits?.[name],
    clock: options.clock,
    rateLimiter: options.rateLimiter,
    random: options.random,
    fetch: options.fetch,
    onEvent: options.onEvent,
  });
  return {
    coingecko: new CoinGeckoSource({ ...common('coingecko'), plan: options.coingeckoPlan }),
    polygon: new PolygonSource(common('polygon')),
    oanda: new OandaSource({ ...common('oanda'), price: options.oandaPrice }),
    yahoo: new YahooSource(common('yahoo')),
    binance: new BinanceSource(common('binance')),
    synthetic,
  };
}

/** Default fallback order per asset class (issue 3): stocks Polygon then Yahoo, crypto CoinGecko then Binance, FX OANDA. */
export const SOURCE_PREFERENCE: Readonly<Record<AssetClass, readonly SourceName[]>> = Object.freeze({
  equity: ['polygon', 'yahoo'],
  etf: ['polygon', 'yahoo'],
  index: ['yahoo', 'polygon'],
  crypto: ['coingecko', 'binance'],
  stablecoin: ['coingecko', 'binance'],
  fx: ['oanda', 'yahoo', 'polygon'],
  economic: [],
});

/**
 * The sources to try for `instrument` (and `interval` when given), best first: the `only` source when forced
 * (`--source`), else SOURCE_PREFERENCE filtered to configured sources that support it.
 */
export function sourcesFor(
  sources: Readonly<Record<string, Source>>,
  instrument: Instrument,
  options: { interval?: Interval; only?: string } = {},
): Source[] {
  const names = options.only !== undefined ? [options.only] : SOURCE_PREFERENCE[instrument.assetClass];
  const out: Source[] = [];
  for (const name of names) {
    const source = sources[name];
    if (source?.configured && source.supports(instrument, options.interval) && !out.includes(source))
      out.push(source);
  }
  return out;
}
