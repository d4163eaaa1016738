import type { ConfigStore } from '../config/store.ts';
import { describeError } from '../core/errors.ts';
import type { Settings } from '../settings.ts';
import { AlphaVantageClient } from '../sources/alphavantage/client.ts';
import { FredClient } from '../sources/fred/client.ts';
import type { ProviderLimits } from '../sources/http.ts';
import { NewsApiClient } from '../sources/newsapi/client.ts';
import type { RateLimiterFactory } from '../sources/rate-limit.ts';
import { SOURCE_NAMES } from '../sources/types.ts';
import { buildSources, configuredLimits, feedProviderOptions } from './sources.ts';

/** One row of `sources check` (DESIGN.md contract: `{providers: [{name, ok, configured, latency_ms, error?}]}`). */
export interface ProviderCheck {
  name: string;
  ok: boolean;
  /** False when the provider needs a key and none is set: not asked, and not a failure of the check. */
  configured: boolean;
  latency_ms: number;
  error?: string;
  /** What was asked for (a symbol or series). */
  test_symbol?: string;
  authenticated?: boolean;
  rate_limit_remaining?: number;
  /** USE_MOCK_DATA: the synthetic source answers in this provider's place. */
  mock?: boolean;
}

/**
 * A check asks once and waits at most this long: it reports reachability, it does not wait out an outage
 * with the loads' retries and backoff.
 */
const CHECK_LIMITS: Partial<ProviderLimits> = { timeoutMs: 10_000, retry: { maxRetries: 0 } };

const FEED_PROVIDERS = ['fred', 'newsapi', 'alphavantage'] as const;

/**
 * Asks every provider (the price connectors, FRED, NewsAPI, AlphaVantage) for one small test answer, in
 * parallel. Never throws: each row says ok, or why not.
 */
export async function checkProviders(
  settings: Settings,
  config: Pick<ConfigStore, 'getInt'>,
  rateLimiter?: RateLimiterFactory,
): Promise<ProviderCheck[]> {
  if (settings.useMockData) {
    return [...SOURCE_NAMES.filter((n) => n !== 'synthetic'), ...FEED_PROVIDERS].map((name) => ({
      name,
      ok: true,
      configured: true,
      latency_ms: 0,
      mock: true,
    }));
  }
  const limits = configuredLimits(config);
  const priceLimits = Object.fromEntries(
    SOURCE_NAMES.map((n) => [n, { ...(n === 'synthetic' ? {} : limits[n]), ...CHECK_LIMITS }]),
  ) as Record<string, Partial<ProviderLimits>>;
  const sources = buildSources(settings, priceLimits, rateLimiter);
  const prices = SOURCE_NAMES.filter((n) => n !== 'synthetic').map(async (name): Promise<ProviderCheck> => {
    const source = sources[name];
    if (!source) return { name, ok: false, configured: false, latency_ms: 0, error: 'no such connector' };
    const c = await source.check();
    return {
      name,
      ok: c.ok,
      configured: source.configured,
      latency_ms: c.latency_ms,
      test_symbol: c.test_symbol,
      authenticated: c.authenticated,
      ...(c.rate_limit_remaining === undefined ? {} : { rate_limit_remaining: c.rate_limit_remaining }),
      ...(c.error === undefined ? {} : { error: c.error }),
    };
  });
  const feeds = FEED_PROVIDERS.map(async (name): Promise<ProviderCheck> => {
    const options = { ...feedProviderOptions(settings, name, limits, rateLimiter), limits: CHECK_LIMITS };
    const missing = `${name.toUpperCase()}_API_KEY is not set`;
    if (name === 'fred') {
      const fred = new FredClient(options);
      return probe(name, 'DGS10', fred.configured, missing, () => fred.series('DGS10'));
    }
    if (name === 'newsapi') {
      const news = new NewsApiClient(options);
      return probe(name, 'bitcoin', news.configured, missing, () =>
        news.everything({ q: 'bitcoin', pageSize: 1, maxPages: 1 }),
      );
    }
    const av = new AlphaVantageClient(options);
    return probe(name, 'AAPL', av.configured, missing, () =>
      av.earningsCalendar(() => undefined, { ticker: 'AAPL' }),
    );
  });
  return Promise.all([...prices, ...feeds]);
}

async function probe(
  name: string,
  testSymbol: string,
  configured: boolean,
  missing: string,
  ask: () => Promise<unknown>,
): Promise<ProviderCheck> {
  if (!configured)
    return { name, ok: false, configured, latency_ms: 0, test_symbol: testSymbol, error: missing };
  const started = performance.now();
  try {
    await ask();
    return {
      name,
      ok: true,
      configured,
      latency_ms: Math.round(performance.now() - started),
      test_symbol: testSymbol,
    };
  } catch (err) {
    return {
      name,
      ok: false,
      configured,
      latency_ms: Math.round(performance.now() - started),
      test_symbol: testSymbol,
      error: describeError(err),
    };
  }
}

/** The exit rule of `sources check`: a failure of a configured provider fails the check. */
export function checkFailed(rows: readonly ProviderCheck[]): boolean {
  return rows.some((r) => r.configured && !r.ok);
}
