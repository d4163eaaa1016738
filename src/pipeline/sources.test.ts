import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings, type Settings } from '../settings.ts';
import type { HttpSource } from '../sources/http-source.ts';
import { TokenBucket } from '../sources/rate-limit.ts';
import { rateLimiterFor, SharedTokenBucket } from '../sources/shared-rate-limit.ts';
import { buildProviderClients, buildSources } from './sources.ts';

/** Settings as `loadSettings` reads them from a clean environment, plus `env`. */
function settings(env: Record<string, string> = {}): Settings {
  const home = mkdtempSync(join(tmpdir(), 'mp-sources-'));
  return loadSettings({ MARKETPIPE_HOME: home, LOG_LEVEL: 'silent', ...env }, home);
}

const http = (sources: Record<string, unknown>, name: string) => (sources[name] as HttpSource).http;

// Building clients opens no Redis connection (it is opened on the first request), so none is needed here.
describe('provider rate limiters chosen by the settings', () => {
  it('shares each provider budget through Redis when REDIS_URL is set', () => {
    const scaled = settings({ REDIS_URL: 'redis://127.0.0.1:6379' });
    const sources = buildSources(
      scaled,
      { coingecko: { rateLimit: { requests: 120, intervalMs: 60_000 } } },
      rateLimiterFor(scaled),
    );
    const bucket = http(sources, 'coingecko').bucket;
    expect(bucket).toBeInstanceOf(SharedTokenBucket);
    expect((bucket as SharedTokenBucket).key).toBe('marketpipe:rate_limit:coingecko');
    // The limit is the configured one (rate_limits.coingecko_per_minute), burst a window's worth.
    expect((bucket as SharedTokenBucket).limit).toEqual({ requests: 120, intervalMs: 60_000, burst: 120 });
    expect((http(sources, 'polygon').bucket as SharedTokenBucket).key).toBe('marketpipe:rate_limit:polygon');
  });

  it('keeps an in-process bucket per client in embedded mode (no REDIS_URL)', () => {
    const sources = buildSources(settings());
    for (const name of ['coingecko', 'polygon', 'oanda', 'yahoo', 'binance']) {
      expect(http(sources, name).bucket, name).toBeInstanceOf(TokenBucket);
    }
  });

  it('economic, news and events providers share their budget the same way', () => {
    const scaled = settings({ REDIS_URL: 'redis://127.0.0.1:6379' });
    const fred = buildProviderClients(scaled, {}, rateLimiterFor(scaled)).fred;
    expect((fred.http.bucket as SharedTokenBucket).key).toBe('marketpipe:rate_limit:fred');
    expect(buildProviderClients(settings(), {}).fred.http.bucket).toBeInstanceOf(TokenBucket);
  });

  it('one limiter per provider: the Polygon price connector and reference client draw from one bucket', () => {
    const clients = buildProviderClients(settings({ POLYGON_API_KEY: 'k' }), {});
    expect(clients.polygonReference.http.bucket).toBe(http(clients.prices, 'polygon').bucket);
    expect(clients.alphavantage.http.bucket).not.toBe(clients.polygonReference.http.bucket);
  });
});
