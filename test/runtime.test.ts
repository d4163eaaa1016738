/**
 * The composition root (src/runtime.ts): a process holds one client per provider, so the economic/news/events
 * runs spend one rate-limit budget per provider, and `start` (serve + jobs in one process) holds one cache,
 * one pub/sub and one config store.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runnerDeps } from '../src/cli/commands/jobs.ts';
import { startServing } from '../src/cli/commands/serve.ts';
import { contextOf } from '../src/cli/context.ts';
import { createLogger } from '../src/core/log.ts';
import { eventsFeed } from '../src/pipeline/feeds/events/service.ts';
import { newsFeed } from '../src/pipeline/feeds/news/service.ts';
import { createRuntime } from '../src/runtime.ts';
import { loadSettings } from '../src/settings.ts';
import type { TokenBucket } from '../src/sources/rate-limit.ts';
import { type Loopback, startLoopback } from '../src/sources/testing/loopback.ts';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';
import { upsertInstruments } from '../src/store/repos/instruments.ts';

// Alpha Vantage's recorded answers (src/sources/alphavantage/fixtures/PROVENANCE.md)
const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '..', 'src', 'sources', 'alphavantage', 'fixtures', name), 'utf8');
const NEWS = fixture('news-sentiment-AAPL.json');
const EARNINGS = fixture('earnings-calendar.csv');

let db: Db;
let av: Loopback;
const log = createLogger('silent');
const home = mkdtempSync(join(tmpdir(), 'mp-runtime-'));

beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
  await upsertInstruments(db, [
    {
      symbol: 'AAPL',
      assetClass: 'equity',
      name: 'Apple Inc.',
      currency: 'USD',
      timezone: 'America/New_York',
    },
  ]);
  av = await startLoopback((req) => {
    const fn = req.url.searchParams.get('function');
    if (fn === 'NEWS_SENTIMENT') return { body: NEWS };
    if (fn === 'EARNINGS_CALENDAR') return { body: EARNINGS, headers: { 'content-type': 'text/csv' } };
    return { status: 404, body: {} };
  });
});
afterAll(async () => {
  await av.close();
  await db.close();
});

describe('createRuntime', () => {
  it('news and events runs use one Alpha Vantage client, so both requests come out of one rate-limit bucket', async () => {
    const settings = loadSettings(
      {
        MARKETPIPE_HOME: home,
        LOG_LEVEL: 'silent',
        ALPHAVANTAGE_BASE_URL: av.baseUrl,
        ALPHAVANTAGE_API_KEY: 'k',
      },
      home,
    );
    const rt = await createRuntime(settings, { db, log });
    try {
      const clients = await rt.sources();
      // rate_limits.alphavantage_per_minute is seeded at the free tier's 5 a minute: a bucket of 5 tokens
      const bucket = clients.alphavantage.http.bucket as TokenBucket;
      const before = bucket.available();
      const deps = { db: rt.store, settings: rt.settings, clients: rt.sources };
      const news = await newsFeed.ingest(deps, { symbols: ['AAPL'], since: Date.UTC(2024, 1, 1) });
      const events = await eventsFeed.ingest(deps, { symbols: ['AAPL'] });
      expect(news).toMatchObject({ failed: 0 });
      expect(news.stored).toBeGreaterThan(0);
      expect(events).toMatchObject({ failed: 0 });
      expect(events.stored).toBeGreaterThan(0);
      const asked = av.requests.map((r) => r.url.searchParams.get('function'));
      expect(asked).toContain('NEWS_SENTIMENT');
      expect(asked).toContain('EARNINGS_CALENDAR');
      // the same clients on every ask, and every request of both runs taken from the one bucket
      // (a client per run would leave this bucket at most one token down)
      expect(await rt.sources()).toBe(clients);
      expect(before - bucket.available()).toBeCloseTo(asked.length, 0);
      // the Polygon price connector and the Polygon reference client share one budget too
      expect(clients.polygonReference.http.bucket).toBe(
        (clients.prices.polygon as unknown as { http: { bucket: unknown } }).http.bucket,
      );
    } finally {
      await rt.close();
    }
  });

  it('serve and the jobs of one process (`start`) share its one cache, pub/sub and config store', async () => {
    const settings = loadSettings({ MARKETPIPE_HOME: home, LOG_LEVEL: 'silent' }, home);
    const rt = await createRuntime(settings, { db, log, liveConfig: true });
    const c = contextOf(rt, true);
    const server = await startServing(c, { port: 0, host: '127.0.0.1' });
    try {
      const jobs = await runnerDeps(c);
      expect(jobs.deps.cache).toBe(rt.cache);
      expect(jobs.deps.pubsub).toBe(rt.pubsub);
      expect(jobs.config).toBe(await rt.config());
      // the API reads the same cache: a hit counted on the runtime's cache is the API's hit rate
      await rt.cache.set('runtime_probe', 1, 60);
      expect(await rt.cache.get('runtime_probe')).toBe(1);
      const ready = (await (await fetch(`${server.url}/ready`)).json()) as { cache: unknown };
      expect(ready.cache).toMatchObject({ backend: 'memory', hit_rate: 1 });
    } finally {
      await server.close();
      await rt.close();
    }
  });
});
