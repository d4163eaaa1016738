import type { ConfigStore } from '../config/store.ts';
import { PROVIDERS, type Provider, type Settings } from '../settings.ts';
import { AlphaVantageClient } from '../sources/alphavantage/client.ts';
import { DefiLlamaClient } from '../sources/defillama/client.ts';
import { FredClient } from '../sources/fred/client.ts';
import type { ProviderLimits } from '../sources/http.ts';
import { NewsApiClient } from '../sources/newsapi/client.ts';
import { PolygonReferenceClient } from '../sources/polygon/reference.ts';
import { type RateLimiter, type RateLimiterFactory, TokenBucket } from '../sources/rate-limit.ts';
import { createSources } from '../sources/source.ts';
import type { ProviderOptions } from '../sources/support.ts';
import type { Source } from '../sources/types.ts';

/**
 * Request-rate limits per provider from the config parameters `rate_limits.<provider>_per_minute` (seeded
 * with the providers' documented free-tier limits; operators raise them for paid plans without a redeploy).
 */
export function configuredLimits(
  config: Pick<ConfigStore, 'getInt'>,
): Partial<Record<Provider, Partial<ProviderLimits>>> {
  const limits: Partial<Record<Provider, Partial<ProviderLimits>>> = {};
  for (const name of PROVIDERS) {
    const perMinute = config.getInt('rate_limits', `${name}_per_minute`, 0);
    if (perMinute > 0) limits[name] = { rateLimit: { requests: perMinute, intervalMs: 60_000 } };
  }
  return limits;
}

/**
 * Every price connector, configured from settings (base URLs, keys; all synthetic under USE_MOCK_DATA) and
 * limits. With `REDIS_URL` each provider's rate limit is one budget shared by every process (`rateLimiter`).
 */
export function buildSources(
  settings: Settings,
  limits: Partial<Record<string, Partial<ProviderLimits>>> = {},
  rateLimiter?: RateLimiterFactory,
): Record<string, Source> {
  return createSources(
    { providers: settings.providers, useMockData: settings.useMockData, limits },
    { rateLimiter },
  );
}

/**
 * One rate limiter per provider name: every client built with this factory for the same provider (the Polygon
 * price connector and the Polygon reference client, AlphaVantage for news and for events) draws from one bucket.
 * `base` builds that one limiter (Redis-shared when scaled out); an in-process TokenBucket otherwise.
 */
function oneLimiterPerProvider(base?: RateLimiterFactory): RateLimiterFactory {
  const limiters = new Map<string, RateLimiter>();
  return (provider, limit, clock) => {
    let limiter = limiters.get(provider);
    if (!limiter) {
      limiter = base?.(provider, limit, clock) ?? new TokenBucket(limit, clock);
      limiters.set(provider, limiter);
    }
    return limiter;
  };
}

/** The clients of every provider, one each per process (runtime.ts builds them once). */
export interface ProviderClients {
  /** The price connectors by provider name (sources/source.ts). */
  prices: Readonly<Record<string, Source>>;
  fred: FredClient;
  newsapi: NewsApiClient;
  alphavantage: AlphaVantageClient;
  polygonReference: PolygonReferenceClient;
  /** Stablecoin supply and coin prices (keyless). */
  defillama: DefiLlamaClient;
}

/**
 * Builds one client per provider from the settings (base URL, key) and the configured limits; clients of one
 * provider share one rate limiter (`oneLimiterPerProvider`), so the provider's budget is spent once.
 */
export function buildProviderClients(
  settings: Settings,
  limits: Partial<Record<Provider, Partial<ProviderLimits>>>,
  rateLimiter?: RateLimiterFactory,
): ProviderClients {
  const limiter = oneLimiterPerProvider(rateLimiter);
  const options = (provider: Provider) => feedProviderOptions(settings, provider, limits, limiter);
  return {
    prices: buildSources(settings, limits, limiter),
    fred: new FredClient(options('fred')),
    newsapi: new NewsApiClient(options('newsapi')),
    alphavantage: new AlphaVantageClient(options('alphavantage')),
    polygonReference: new PolygonReferenceClient(options('polygon')),
    defillama: new DefiLlamaClient(options('defillama')),
  };
}

/** The connector options of one economic/news/events provider (health checks build their own probes). */
export function feedProviderOptions(
  settings: Settings,
  provider: Provider,
  limits: Partial<Record<Provider, Partial<ProviderLimits>>>,
  rateLimiter?: RateLimiterFactory,
): ProviderOptions {
  const { baseUrl, apiKey } = settings.providers[provider];
  const l = limits[provider];
  return { baseUrl, apiKey, rateLimiter, ...(l ? { limits: l } : {}) };
}
