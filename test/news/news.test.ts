import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewsItem } from '../../src/core/news.ts';
import type { Instrument } from '../../src/core/types.ts';
import { loadNewsSamples } from '../../src/pipeline/feeds/news/samples.ts';
import { ingestNews } from '../../src/pipeline/feeds/news/service.ts';
import { loadSettings } from '../../src/settings.ts';
import { AlphaVantageClient } from '../../src/sources/alphavantage/client.ts';
import { ProviderAuthError, RateLimitedError } from '../../src/sources/errors.ts';
import { NewsApiClient } from '../../src/sources/newsapi/client.ts';
import {
  type Loopback,
  seededRandom,
  virtualClock,
  withLoopback,
} from '../../src/sources/testing/loopback.ts';
import type { Db } from '../../src/store/db.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { readNews, storeNews } from '../../src/store/repos/news.ts';
import { type TestBackend, testBackends } from '../store/backends.ts';

const SRC = join(import.meta.dirname, '../../src/sources');
const json = (p: string): unknown => JSON.parse(readFileSync(join(SRC, p), 'utf8'));
const settings = loadSettings({ MARKETPIPE_HOME: '/tmp/mp-news-test' });
const NOW = Date.UTC(2024, 1, 6);
const KEY = 'news-key-0123456789';

const equity = (symbol: string, name: string): Instrument => ({
  symbol,
  assetClass: 'equity',
  name,
  currency: 'USD',
  timezone: 'America/New_York',
  sources: {},
});
const INSTRUMENTS = [
  equity('AAPL', 'Apple Inc.'),
  equity('MSFT', 'Microsoft Corporation'),
  equity('NVDA', 'NVIDIA Corporation'),
  equity('SPY', 'SPDR S&P 500 ETF'),
];

const opts = (server: Loopback, apiKey = KEY) => ({
  baseUrl: server.baseUrl,
  apiKey,
  clock: virtualClock(NOW),
  random: seededRandom(5),
  limits: { timeoutMs: 2000, retry: { maxRetries: 1, baseDelayMs: 10 } },
});

const backends = await testBackends('news');

describe.each(backends.map((b) => [b.name, b] as [string, TestBackend]))(
  'news ingestion on %s',
  (_n, backend) => {
    let db: Db;
    beforeAll(async () => {
      db = await backend.open();
      await upsertInstruments(db, INSTRUMENTS);
    });
    afterAll(async () => backend.dispose(db));

    it('NewsAPI: replays a real /v2/everything body, sends the key as X-Api-Key, scores with the lexicon, dedupes on re-run', async () => {
      const body = json('newsapi/fixtures/everything-2023-05-23.json');
      await withLoopback(
        (req) =>
          req.headers['x-api-key'] === KEY
            ? { body }
            : {
                status: 401,
                body: {
                  status: 'error',
                  code: 'apiKeyInvalid',
                  message: 'Your API key is invalid or incorrect.',
                },
              },
        async (server) => {
          const newsapi = new NewsApiClient(opts(server));
          const s = await ingestNews(db, settings, {
            symbols: ['AAPL'],
            newsapi,
            now: Date.UTC(2023, 4, 24),
          });
          // 20 articles in the recorded body, all distinct (fixture news_app_everything_2023-05-23.json)
          expect(s).toMatchObject({ read: 20, stored: 20, unchanged: 0, failed: 0, quarantined: 0 });
          expect(server.requests[0]?.url.searchParams.get('q')).toBe('"Apple" OR AAPL');
          expect(server.requests[0]?.url.searchParams.has('apiKey')).toBe(false);
          const news = await readNews(db, { symbol: 'AAPL' });
          expect(news).toHaveLength(20);
          expect(news.every((n) => n.sentiment.some((x) => x.provider === 'lexicon'))).toBe(true);
          const again = await ingestNews(db, settings, {
            symbols: ['AAPL'],
            newsapi,
            now: Date.UTC(2023, 4, 24),
          });
          expect(again).toMatchObject({ read: 20, stored: 0, unchanged: 20 });
          // the watermark moved: the second run asked from an hour before the newest article
          expect(server.requests[1]?.url.searchParams.get('from')).toBe(
            '2023-05-23T13:58:57.000Z'.replace('13:58', '12:58'),
          );
        },
      );
    });

    it('NewsAPI: apiKeyInvalid is an auth failure, rateLimited a rate limit (after retrying its 429)', async () => {
      await withLoopback(
        () => ({
          status: 401,
          body: { status: 'error', code: 'apiKeyInvalid', message: 'Your API key is invalid or incorrect.' },
        }),
        async (server) => {
          await expect(new NewsApiClient(opts(server)).everything({ q: 'Apple' })).rejects.toBeInstanceOf(
            ProviderAuthError,
          );
          expect(server.requests).toHaveLength(1);
          const s = await ingestNews(db, settings, {
            symbols: ['MSFT'],
            newsapi: new NewsApiClient(opts(server)),
            now: NOW,
          });
          expect(s.failed).toBe(1);
          expect(s.instruments[0]?.error).toMatch(/apiKeyInvalid.*NEWSAPI_API_KEY/);
        },
      );
      await withLoopback(
        () => ({
          status: 429,
          body: {
            status: 'error',
            code: 'rateLimited',
            message: 'You have made too many requests recently.',
          },
        }),
        async (server) => {
          await expect(new NewsApiClient(opts(server)).everything({ q: 'Apple' })).rejects.toBeInstanceOf(
            RateLimitedError,
          );
          expect(server.requests).toHaveLength(2);
        },
      );
    });

    it('AlphaVantage NEWS_SENTIMENT: provider scores kept, a near-identical title stored once', async () => {
      await withLoopback(
        (req) =>
          req.url.searchParams.get('function') === 'NEWS_SENTIMENT'
            ? { body: json('alphavantage/fixtures/news-sentiment-AAPL.json') }
            : { status: 404 },
        async (server) => {
          const alphavantage = new AlphaVantageClient(opts(server));
          const s = await ingestNews(db, settings, {
            symbols: ['AAPL'],
            alphavantage,
            now: NOW,
            since: Date.UTC(2024, 1, 1),
          });
          // 3 feed items; the Reuters one repeats the Benzinga title (different case and " - Reuters")
          expect(s).toMatchObject({ read: 3, stored: 2, unchanged: 1, failed: 0 });
          expect(server.requests[0]?.url.searchParams.get('tickers')).toBe('AAPL');
          expect(server.requests[0]?.url.searchParams.get('time_from')).toBe('20240201T0000');
          const news = await readNews(db, { symbol: 'AAPL', since: Date.UTC(2024, 1, 1) });
          expect(news.map((n) => n.title)).toEqual([
            'EU Regulators Open Probe Into App Store Fees',
            'Apple Beats Estimates As iPhone Sales Surge',
          ]);
          const probe = news[0]?.sentiment.find((x) => x.provider === 'alphavantage');
          expect(probe).toMatchObject({ symbol: 'AAPL', score: -0.38, label: 'Bearish', relevance: 0.77 });
          // the QCOM sentiment is not ours to keep (no instrument); only AAPL rows
          expect(news[1]?.sentiment.map((x) => x.symbol)).toEqual(['AAPL']);
        },
      );
    });

    for (const [name, file] of [
      ['Note', 'note-rate-limit.json'],
      ['Information', 'information-rate-limit.json'],
    ] as const) {
      it(`AlphaVantage: a "${name}" body with HTTP 200 is rate limiting, not data`, async () => {
        await withLoopback(
          () => ({ body: json(`alphavantage/fixtures/${file}`) }),
          async (server) => {
            const alphavantage = new AlphaVantageClient(opts(server));
            await expect(alphavantage.newsSentiment(['AAPL'], () => 'AAPL')).rejects.toBeInstanceOf(
              RateLimitedError,
            );
            const before = (await readNews(db)).length;
            const s = await ingestNews(db, settings, { symbols: ['NVDA'], alphavantage, now: NOW });
            expect(s).toMatchObject({ read: 0, stored: 0, failed: 1 });
            expect(s.instruments[0]?.error).toMatch(/rate limited/);
            expect((await readNews(db)).length).toBe(before);
          },
        );
      });
    }

    it('quarantines an article dated in the future', async () => {
      await withLoopback(
        () => ({
          body: {
            status: 'ok',
            totalResults: 1,
            articles: [
              {
                source: { id: null, name: 'X' },
                title: 'Stocks rally',
                url: 'https://x.example/a',
                publishedAt: '2030-01-01T00:00:00Z',
              },
            ],
          },
        }),
        async (server) => {
          const s = await ingestNews(db, settings, {
            symbols: ['SPY'],
            newsapi: new NewsApiClient(opts(server)),
            now: NOW,
          });
          expect(s).toMatchObject({ read: 1, stored: 0, quarantined: 1 });
        },
      );
    });

    it('loads the shipped samples (near-duplicate headline stored once), idempotently', async () => {
      const s = await loadNewsSamples(db);
      // samples/news/articles.json: 26 items, the second Nvidia headline is a near-duplicate of the first
      expect(s.read).toBe(26);
      const nvda = await readNews(db, { symbol: 'NVDA' });
      expect(nvda).toHaveLength(1);
      expect(nvda[0]?.sentiment[0]).toMatchObject({ provider: 'lexicon', label: 'Bullish' });
      expect((await loadNewsSamples(db)).stored).toBe(0);
    });

    it('templated articles stay apart with their own scores; a syndicated copy leaves the kept scores alone', async () => {
      // Shaped like an AlphaVantage NEWS_SENTIMENT feed: Benzinga republishes one options-activity template
      // every few days under a new URL with a new summary and a new score.
      const item = (url: string, at: number, description: string, score: number): NewsItem => ({
        article: {
          url,
          title: 'Market Whales and Their Recent Bets on MSFT Options - Microsoft ( NASDAQ:MSFT )',
          description,
          author: 'Benzinga Insights',
          source: 'Benzinga',
          provider: 'alphavantage',
          publishedAt: at,
          language: 'en',
        },
        sentiments: [
          { symbol: 'MSFT', provider: 'alphavantage', score, label: 'Somewhat-Bullish', relevance: 0.9 },
        ],
      });
      const monday = Date.UTC(2024, 8, 23, 20, 1, 31);
      const tuesday = Date.UTC(2024, 8, 24, 17, 45, 53);
      const first = item(
        'https://www.benzinga.com/insights/options/24/09/40990670/market-whales-and-their-recent-bets-on-msft-options',
        monday,
        'Whales with a lot of money to spend have taken a noticeably bearish stance on Microsoft.',
        0.291248,
      );
      const second = item(
        'https://www.benzinga.com/insights/options/24/09/41011865/market-whales-and-their-recent-bets-on-msft-options',
        tuesday,
        'Financial giants have made a conspicuous bullish move on Microsoft. Our analysis shows 14 trades.',
        0.378804,
      );
      const r = await storeNews(db, [first, second]);
      expect(r).toMatchObject({ stored: 2, unchanged: 0 });
      // The same first article syndicated on another site: merged, and its score does not replace the kept one.
      const copy = item(
        'https://www.example-wire.com/msft-whales',
        monday + 60_000,
        first.article.description ?? '',
        0.5,
      );
      expect(await storeNews(db, [copy])).toMatchObject({ stored: 0, unchanged: 1 });
      const news = await readNews(db, { symbol: 'MSFT', since: Date.UTC(2024, 8, 20) });
      expect(news.map((n) => [n.url.split('/')[7], n.sentiment[0]?.score])).toEqual([
        ['41011865', 0.378804],
        ['40990670', 0.291248],
      ]);
    });
  },
);
