/**
 * The feeds under the provider faults: FRED (`ingest economic`), NewsAPI and Alpha Vantage NEWS_SENTIMENT
 * (`ingest news`), each a loopback fake replaying the connector's recorded fixtures (src/sources/<name>/fixtures)
 * behind the fault proxy. Each fault starts from an empty feed table; the rows stored after the faulted run and a
 * clean re-run are compared with a reference run against the fake alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestEconomic } from '../../src/pipeline/feeds/economic/service.ts';
import { ingestNews } from '../../src/pipeline/feeds/news/service.ts';
import { loadSettings } from '../../src/settings.ts';
import { AlphaVantageClient } from '../../src/sources/alphavantage/client.ts';
import { FredClient } from '../../src/sources/fred/client.ts';
import { NewsApiClient } from '../../src/sources/newsapi/client.ts';
import type { ProviderOptions } from '../../src/sources/support.ts';
import { type Reply, seededRandom, startLoopback, virtualClock } from '../../src/sources/testing/loopback.ts';
import type { Db } from '../../src/store/db.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import type { FaultRow } from './fault-table.ts';
import { faultNote, isTransient, PROVIDER_FAULTS, startFaultProxy } from './provider-faults.ts';

const SRC = join(import.meta.dirname, '../../src/sources');
const fixture = (p: string): unknown => JSON.parse(readFileSync(join(SRC, p), 'utf8'));
const settings = loadSettings({ MARKETPIPE_HOME: '/tmp/mp-faults-feeds' });

export interface FeedCase {
  name: 'fred' | 'newsapi' | 'alphavantage';
  /** The fake provider, answering by path with the recorded fixtures. */
  handler(req: { url: URL }): Reply;
  /** One ingest of the feed against `baseUrl`; failures are counted in the summary, as the CLI reports them. */
  ingest(db: Db, baseUrl: string): Promise<{ failed: number }>;
  /** Rows of this feed in the store. */
  stored(db: Db): Promise<number>;
  /** Empty this feed's tables, so each fault starts from nothing. */
  wipe(db: Db): Promise<void>;
}

/** Short timeouts and retry delays on a virtual clock: a Retry-After of 1 s costs no wall time. */
const options = (baseUrl: string, now: number): ProviderOptions => ({
  baseUrl,
  apiKey: 'fault-key-0123456789',
  clock: virtualClock(now),
  random: seededRandom(7),
  limits: { timeoutMs: 400, retry: { maxRetries: 2, baseDelayMs: 10 } },
});
const count = async (db: Db, sql: string, params: unknown[]) =>
  Number((await db.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0);

const FRED_NOW = Date.UTC(2024, 1, 9);
const NEWSAPI_NOW = Date.UTC(2023, 4, 24);
const AV_NOW = Date.UTC(2024, 1, 6);
const APPLE = {
  symbol: 'AAPL',
  assetClass: 'equity',
  name: 'Apple Inc.',
  currency: 'USD',
  timezone: 'America/New_York',
} as const;

const wipeNews = async (db: Db, provider: string) => {
  await db.query(
    'DELETE FROM news.sentiment WHERE article_id IN (SELECT id FROM news.articles WHERE provider = $1)',
    [provider],
  );
  await db.query('DELETE FROM news.articles WHERE provider = $1', [provider]);
};

export const FEED_CASES: readonly FeedCase[] = [
  {
    name: 'fred',
    handler: (req) => {
      const path = req.url.pathname;
      if (path === '/fred/series') return { body: fixture('fred/fixtures/series-DGS10.json') };
      // DGS10, January 2023: 22 observations (one vintage each)
      if (path === '/fred/series/observations')
        return { body: fixture('fred/fixtures/observations-DGS10-2023-01.json') };
      if (path === '/fred/series/release')
        return { body: fixture('fred/fixtures/series-release-DGS10.json') };
      if (path === '/fred/release/dates') return { body: fixture('fred/fixtures/release-dates-18.json') };
      return { status: 404, body: { error_code: 404, error_message: 'Not Found' } };
    },
    ingest: (db, baseUrl) =>
      ingestEconomic(db, settings, {
        series: ['DGS10'],
        full: true,
        client: new FredClient(options(baseUrl, FRED_NOW)),
        now: FRED_NOW,
      }),
    stored: (db) =>
      count(db, 'SELECT count(*) AS n FROM economic_data.observations WHERE series_id = $1', ['DGS10']),
    wipe: async (db) => {
      await db.query('DELETE FROM economic_data.observations WHERE series_id = $1', ['DGS10']);
    },
  },
  {
    name: 'newsapi',
    // 20 articles of /v2/everything, 2023-05-23
    handler: (req) =>
      req.url.pathname === '/v2/everything'
        ? { body: fixture('newsapi/fixtures/everything-2023-05-23.json') }
        : { status: 404, body: { status: 'error', code: 'routeNotFound', message: 'no route' } },
    ingest: async (db, baseUrl) => {
      await upsertInstruments(db, [APPLE]);
      return ingestNews(db, settings, {
        symbols: ['AAPL'],
        newsapi: new NewsApiClient(options(baseUrl, NEWSAPI_NOW)),
        now: NEWSAPI_NOW,
        since: NEWSAPI_NOW - 7 * 86_400_000,
      });
    },
    stored: (db) => count(db, 'SELECT count(*) AS n FROM news.articles WHERE provider = $1', ['newsapi']),
    wipe: (db) => wipeNews(db, 'newsapi'),
  },
  {
    name: 'alphavantage',
    // NEWS_SENTIMENT for AAPL: 3 feed items, one a re-titled duplicate (2 articles)
    handler: (req) =>
      req.url.pathname === '/query' && req.url.searchParams.get('function') === 'NEWS_SENTIMENT'
        ? { body: fixture('alphavantage/fixtures/news-sentiment-AAPL.json') }
        : { body: fixture('alphavantage/fixtures/error-message.json') },
    ingest: async (db, baseUrl) => {
      await upsertInstruments(db, [APPLE]);
      return ingestNews(db, settings, {
        symbols: ['AAPL'],
        alphavantage: new AlphaVantageClient(options(baseUrl, AV_NOW)),
        now: AV_NOW,
        since: Date.UTC(2024, 1, 1),
      });
    },
    stored: (db) =>
      count(db, 'SELECT count(*) AS n FROM news.articles WHERE provider = $1', ['alphavantage']),
    wipe: (db) => wipeNews(db, 'alphavantage'),
  },
];

/**
 * Every provider fault against one feed: a reference run gives the expected rows; each fault then runs on an
 * empty feed with the fault on, once more with it off, and the stored rows are compared.
 */
export async function runFeedFaults(db: Db, c: FeedCase): Promise<{ rows: FaultRow[]; expected: number }> {
  const fake = await startLoopback(c.handler);
  const rows: FaultRow[] = [];
  try {
    await c.wipe(db);
    const ref = await c.ingest(db, fake.baseUrl);
    const expected = await c.stored(db);
    if (ref.failed > 0 || expected === 0) throw new Error(`${c.name}: the reference run stored nothing`);
    for (const fault of PROVIDER_FAULTS) {
      await c.wipe(db);
      let on = true;
      const proxy = await startFaultProxy(fake.baseUrl, fault, () => on, 1500);
      try {
        const first = await c.ingest(db, proxy.baseUrl);
        on = false;
        const firstOk = first.failed === 0;
        const afterFirst = await c.stored(db);
        const second = await c.ingest(db, proxy.baseUrl);
        const stored = await c.stored(db);
        rows.push({
          fault: `${c.name} ${fault}`,
          injected: proxy.injected(),
          recovered: second.failed === 0 && (!isTransient(fault) || firstOk) && stored === expected,
          rowsLost: Math.max(0, expected - stored),
          note: faultNote(fault, firstOk, afterFirst, expected),
        });
      } finally {
        await proxy.close();
      }
    }
    return { rows, expected };
  } finally {
    await fake.close();
  }
}
