/** Runtime helpers shared by connectors: health checks, one-by-one latest prices, symbol lookup. */
import { describeError } from '../core/errors.ts';
import type { AssetClass, Instrument, PricePoint } from '../core/types.ts';
import { ProviderAuthError, ProviderError } from './errors.ts';
import { HttpClient, type HttpClientOptions, type HttpEvent, type ProviderLimits } from './http.ts';
import type { Clock, RateLimiterFactory } from './rate-limit.ts';
import { systemClock } from './rate-limit.ts';
import type { LatestResult, SourceCheck } from './types.ts';

/** `instrument.sources[provider]`, trimmed; undefined when absent or blank. */
export function mappedSymbol(instrument: Instrument, provider: string): string | undefined {
  const symbol = instrument.sources?.[provider]?.trim();
  return symbol === undefined || symbol === '' ? undefined : symbol;
}

/** A throwaway instrument for a provider's test symbol (health checks). */
export function testInstrument(provider: string, providerSymbol: string, assetClass: AssetClass): Instrument {
  return {
    symbol: providerSymbol,
    assetClass,
    name: `${provider} test symbol`,
    currency: 'USD',
    timezone: 'UTC',
    sources: { [provider]: providerSymbol },
  };
}

/**
 * Time zone whose calendar date keys a daily bar: the venue's for exchange-traded assets, UTC for the 24/7 and
 * 24/5 markets (crypto days and the FX providers' UTC-aligned days).
 */
export function dailyTimeZone(instrument: Instrument): string {
  const exchangeTraded =
    instrument.assetClass === 'equity' ||
    instrument.assetClass === 'etf' ||
    instrument.assetClass === 'index';
  return exchangeTraded ? instrument.timezone : 'UTC';
}

/** Runs `fetchOne` per instrument, collecting failures instead of stopping at the first. */
export async function latestOneByOne(
  instruments: readonly Instrument[],
  fetchOne: (instrument: Instrument) => Promise<PricePoint>,
): Promise<LatestResult> {
  const settled = await Promise.allSettled(instruments.map((instrument) => fetchOne(instrument)));
  const result: LatestResult = { items: [], errors: [] };
  settled.forEach((outcome, i) => {
    const symbol = instruments[i]?.symbol ?? '?';
    if (outcome.status === 'fulfilled') result.items.push(outcome.value);
    else result.errors.push({ symbol, error: toError(outcome.reason) });
  });
  return result;
}

function answered(error: unknown): boolean {
  return error instanceof ProviderError && error.httpStatus !== 0;
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** Health check: one latest-price request for the test symbol, timed. Never throws. */
export async function checkSource(args: {
  name: string;
  testSymbol: string;
  http: HttpClient | undefined;
  now: () => number;
  probe: () => Promise<LatestResult>;
  /** Set when a required key is missing: the check fails at once, naming the variable, without a request. */
  missingKey?: string;
}): Promise<SourceCheck> {
  if (args.missingKey !== undefined) {
    return {
      source: args.name,
      ok: false,
      latency_ms: 0,
      authenticated: false,
      test_symbol: args.testSymbol,
      error: `${args.missingKey} is not set`,
    };
  }
  const started = args.now();
  let error: unknown;
  try {
    const result = await args.probe();
    const first = result.errors[0];
    if (first !== undefined) error = first.error;
    else if (result.items.length === 0) error = new Error(`no price for ${args.testSymbol}`);
  } catch (err) {
    error = err;
  }
  const remaining = args.http?.rateLimitRemaining ?? args.http?.tokensAvailable();
  return {
    source: args.name,
    ok: error === undefined,
    latency_ms: Math.max(0, args.now() - started),
    // Known only when the provider answered: a timeout proves nothing about the key.
    authenticated: error === undefined || (answered(error) && !(error instanceof ProviderAuthError)),
    ...(remaining === undefined ? {} : { rate_limit_remaining: Math.floor(remaining) }),
    test_symbol: args.testSymbol,
    ...(error === undefined ? {} : { error: describeError(error) }),
  };
}

/** What every HTTP connector's constructor takes. Settings supply `baseUrl`/`apiKey` from `<PROVIDER>_*` env. */
export interface ProviderOptions {
  /** Overrides the provider's public base URL (a proxy, a loopback fake). No trailing slash needed. */
  baseUrl?: string;
  /** The provider's key or token; never logged. */
  apiKey?: string;
  /** Rate limit, concurrency, timeout and retry overrides; defaults in DEFAULT_PROVIDER_LIMITS. */
  limits?: Partial<ProviderLimits>;
  /** @defaultValue systemClock */
  clock?: Clock;
  /** Builds the provider's rate limiter (shared through Redis when scaled out). @defaultValue a TokenBucket */
  rateLimiter?: RateLimiterFactory;
  /** Jitter source. @defaultValue Math.random */
  random?: () => number;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /** Called after every HTTP attempt (URL redacted). */
  onEvent?: (event: HttpEvent) => void;
}

/** The HTTP client for `provider` built from connector options. */
export function httpFor(
  provider: string,
  options: ProviderOptions,
  extra: Partial<HttpClientOptions> = {},
): HttpClient {
  return new HttpClient({
    provider,
    limits: options.limits,
    clock: options.clock ?? systemClock,
    rateLimiter: options.rateLimiter,
    random: options.random,
    fetch: options.fetch,
    onEvent: options.onEvent,
    secrets: options.apiKey === undefined ? [] : [options.apiKey],
    ...extra,
  });
}

/** `base` without trailing slashes. */
export function trimBase(base: string): string {
  return base.replace(/\/+$/, '');
}

/** `JSON.parse` that answers undefined instead of throwing (for error bodies we only peek into). */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
