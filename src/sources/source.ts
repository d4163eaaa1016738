/** The contract every market-data connector fulfils, and the registry of them (`createSources`). */
import type { AssetClass, Instrument, Interval } from '../core/types.ts';
import { BinanceSource } from './binance/client.ts';
import { type CoinGeckoPlan, CoinGeckoSource } from './coingecko/client.ts';
import { DefiLlamaSource } from './defillama/bars.ts';
import type { HttpEvent, ProviderLimits } from './http.ts';
import { OandaSource } from './oanda/client.ts';
import type { OandaPrice } from './oanda/mapping.ts';
import { PolygonSource } from './polygon/client.ts';
import type { Clock, RateLimiterFactory } from './rate-limit.ts';
import type { ProviderOptions } from './support.ts';
import { SyntheticSource } from './synthetic/client.ts';
import type { SyntheticOptions } from './synthetic/generator.ts';
import type { Source, SourceName } from './types.ts';
import { YahooSource } from './yahoo/client.ts';

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
      defillama: synthetic,
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
    defillama: new DefiLlamaSource(common('defillama')),
    synthetic,
  };
}

/**
 * Default fallback order per asset class (issue 3): stocks Polygon then Yahoo, crypto CoinGecko then Binance, FX
 * OANDA. DefiLlama is asked only when chosen (`--source defillama`).
 */
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
