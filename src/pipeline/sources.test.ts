import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings, type Settings } from '../settings.ts';
import { FredClient } from '../sources/fred/client.ts';
import type { HttpSource } from '../sources/http-source.ts';
import { TokenBucket } from '../sources/rate-limit.ts';
import { SharedTokenBucket } from '../sources/shared-rate-limit.ts';
import type { Db } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { openPglite } from '../store/pglite.ts';
import { providerOptions } from './provider-options.ts';
import { buildSources } from './sources.ts';

/** Settings as `loadSettings` reads them from a clean environment, plus `env`. */
function settings(env: Record<string, string> = {}): Settings {
  const home = mkdtempSync(join(tmpdir(), 'mp-sources-'));
  return loadSettings({ MARKETPIPE_HOME: home, LOG_LEVEL: 'silent', ...env }, home);
}

const http = (sources: Record<string, unknown>, name: string) => (sources[name] as HttpSource).http;

// Building clients opens no Redis connection (it is opened on the first request), so none is needed here.
describe('provider rate limiters chosen by the settings', () => {
  it('shares each provider budget through Redis when REDIS_URL is set', () => {
    const sources = buildSources(settings({ REDIS_URL: 'redis://127.0.0.1:6379' }), {
      coingecko: { rateLimit: { requests: 120, intervalMs: 60_000 } },
    });
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

  describe('economic, news and events providers (providerOptions)', () => {
    let db: Db;
    beforeAll(async () => {
      db = await openPglite();
      await migrate(db);
    });
    afterAll(async () => {
      await db.close();
    });

    it('share their budget the same way', async () => {
      const scaled = new FredClient(
        await providerOptions(db, settings({ REDIS_URL: 'redis://127.0.0.1:6379' }), 'fred'),
      );
      expect((scaled.http.bucket as SharedTokenBucket).key).toBe('marketpipe:rate_limit:fred');
      const embedded = new FredClient(await providerOptions(db, settings(), 'fred'));
      expect(embedded.http.bucket).toBeInstanceOf(TokenBucket);
    });
  });
});
