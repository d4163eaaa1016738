import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEconomicSamples } from '../../src/pipeline/feeds/economic/samples.ts';
import { ingestEconomic } from '../../src/pipeline/feeds/economic/service.ts';
import { readWatermark } from '../../src/pipeline/watermarks.ts';
import { loadSettings } from '../../src/settings.ts';
import { ProviderAuthError, RateLimitedError } from '../../src/sources/errors.ts';
import { FredClient } from '../../src/sources/fred/client.ts';
import {
  type Loopback,
  type Reply,
  seededRandom,
  startLoopback,
  virtualClock,
} from '../../src/sources/testing/loopback.ts';
import type { Db } from '../../src/store/db.ts';
import { readObservations, readReleases, readSeries, readVintages } from '../../src/store/repos/economic.ts';
import { readEvents } from '../../src/store/repos/events.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { type TestBackend, testBackends } from '../store/backends.ts';

const FIX = join(import.meta.dirname, '../../src/sources/fred/fixtures');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIX, name), 'utf8'));
const settings = loadSettings({ MARKETPIPE_HOME: '/tmp/mp-economic-test' });

/** A FRED fake answering by path; `override` replaces answers (errors, other pages). */
function fredHandler(override?: (path: string, q: URLSearchParams) => Reply | undefined) {
  return (req: { url: URL }): Reply => {
    const path = req.url.pathname;
    const q = req.url.searchParams;
    const o = override?.(path, q);
    if (o) return o;
    if (q.get('api_key') !== 'fred-key-0123456789')
      return { status: 400, body: fixture('error-bad-key.json') };
    if (path === '/fred/series') return { body: fixture('series-DGS10.json') };
    if (path === '/fred/series/observations') return { body: fixture('observations-DGS10-2023-01.json') };
    if (path === '/fred/series/release') return { body: fixture('series-release-DGS10.json') };
    if (path === '/fred/release/dates') return { body: fixture('release-dates-18.json') };
    return { status: 404, body: { error_code: 404, error_message: 'Not Found' } };
  };
}

function client(server: Loopback, apiKey = 'fred-key-0123456789') {
  return new FredClient({
    baseUrl: server.baseUrl,
    apiKey,
    clock: virtualClock(),
    random: seededRandom(3),
    limits: { timeoutMs: 2000, retry: { maxRetries: 2, baseDelayMs: 10 } },
  });
}

const backends = await testBackends('economic');

describe.each(backends.map((b) => [b.name, b] as [string, TestBackend]))(
  'FRED ingestion on %s',
  (_n, backend) => {
    let db: Db;
    let server: Loopback;
    beforeAll(async () => {
      db = await backend.open();
      await upsertInstruments(db, [
        {
          symbol: 'DGS10',
          assetClass: 'economic',
          name: '10Y',
          currency: 'USD',
          timezone: 'UTC',
          sources: { fred: 'DGS10' },
        },
      ]);
      server = await startLoopback(fredHandler());
    });
    afterAll(async () => {
      await server.close();
      await backend.dispose(db);
    });

    it('stores metadata, observations with "." as NULL, releases, and a watermark; a re-run is unchanged', async () => {
      const first = await ingestEconomic(db, settings, {
        series: ['DGS10'],
        client: client(server),
        now: Date.UTC(2024, 1, 9),
      });
      // 22 rows in the fixture (FRED DGS10, January 2023), 2 of them "." (2023-01-02, 2023-01-16 holidays)
      expect(first).toMatchObject({
        read: 22,
        stored: 22,
        unchanged: 0,
        quarantined: 0,
        failed: 0,
        mode: 'incremental',
      });
      expect(first.instruments).toEqual([{ symbol: 'DGS10', stored: 22, quarantined: 0, unchanged: 0 }]);
      const obs = await readObservations(db, 'DGS10');
      expect(obs).toHaveLength(22);
      expect(obs.find((o) => o.date === '2023-01-02')?.value).toBeNull();
      expect(obs.find((o) => o.date === '2023-01-03')?.value).toBe(3.79); // FRED DGS10 2023-01-03
      const [series] = await readSeries(db, 'DGS10');
      expect(series).toMatchObject({ id: 'DGS10', frequency: 'Daily', units: 'Percent', observations: 22 });
      expect(series?.last_updated).toBe('2024-02-09T21:18:02Z'); // 15:18:02-06
      expect((await readReleases(db, { series: 'DGS10' })).map((r) => r.release_date)).toEqual([
        '2024-02-05',
        '2024-02-12',
        '2024-02-20',
      ]);
      expect(await readWatermark(db, 'DGS10', 'economic', 'fred')).toBe(Date.UTC(2023, 0, 31));
      const again = await ingestEconomic(db, settings, { series: ['DGS10'], client: client(server) });
      expect(again).toMatchObject({ read: 22, stored: 0, unchanged: 22 });
      // the incremental run asked from a year before the newest stored date, with every vintage
      const last = server.requests.filter((r) => r.url.pathname === '/fred/series/observations').at(-1);
      expect(last?.url.searchParams.get('observation_start')).toBe('2022-01-30');
      expect(last?.url.searchParams.get('realtime_start')).toBe('1776-07-04');
      expect(last?.url.searchParams.get('file_type')).toBe('json');
    });

    it('keeps every vintage: a revision adds a row and closes the old one', async () => {
      let vintages: unknown = fixture('observations-GNPCA-vintages.json');
      const gnp = await startLoopback(
        fredHandler((path) => {
          if (path === '/fred/series')
            return { body: { seriess: [{ id: 'GNPCA', title: 'Real GNP', frequency: 'Annual' }] } };
          if (path === '/fred/series/observations') return { body: vintages };
          return undefined;
        }),
      );
      try {
        await ingestEconomic(db, settings, { series: ['GNPCA'], client: client(gnp), releases: false });
        // a later answer: 2012-01-01 revised again on 2014-07-30 (the 2013-07-31 vintage now ends 2014-07-29)
        vintages = {
          count: 1,
          offset: 0,
          limit: 100000,
          observations: [
            {
              realtime_start: '2014-07-30',
              realtime_end: '9999-12-31',
              date: '2012-01-01',
              value: '13700.0',
            },
          ],
        };
        const second = await ingestEconomic(db, settings, {
          series: ['GNPCA'],
          client: client(gnp),
          releases: false,
        });
        expect(second.stored).toBe(1);
        const v = await readVintages(db, 'GNPCA', '2012-01-01');
        expect(v.map((r) => [r.realtime_start, r.realtime_end, r.value])).toEqual([
          ['2013-01-31', '2013-07-30', 13593.2],
          ['2013-07-31', '2014-07-29', 13665.4],
          ['2014-07-30', '9999-12-31', 13700],
        ]);
        expect((await readObservations(db, 'GNPCA')).at(-1)?.value).toBe(13700);
        expect((await readObservations(db, 'GNPCA', { asOf: '2013-12-31' })).at(-1)?.value).toBe(13665.4);
        // first releases become economic events: period 2012-01-01 first published 2013-01-31
        const events = await readEvents(db, { symbol: 'GNPCA', type: 'economic' });
        expect(events.find((e) => e.period === '2012-01-01')).toMatchObject({
          date: '2013-01-31',
          actual: 13593.2,
          previous: 13299.8,
        });
      } finally {
        await gnp.close();
      }
    });

    it('reports a bad key as an auth failure per series, naming FRED_API_KEY', async () => {
      const summary = await ingestEconomic(db, settings, {
        series: ['DGS10'],
        client: client(server, 'wrong-key-000'),
      });
      expect(summary.failed).toBe(1);
      expect(summary.instruments[0]?.error).toMatch(/api_key is not registered.*FRED_API_KEY/);
      await expect(client(server, 'wrong-key-000').series('DGS10')).rejects.toBeInstanceOf(ProviderAuthError);
    });

    it('reports an unknown series as not found and keeps loading the others', async () => {
      const s2 = await startLoopback(
        fredHandler((path, q) =>
          path === '/fred/series' && q.get('series_id') === 'NOPE'
            ? { status: 400, body: fixture('error-no-series.json') }
            : undefined,
        ),
      );
      try {
        const summary = await ingestEconomic(db, settings, {
          series: ['NOPE', 'DGS10'],
          client: client(s2),
          releases: false,
        });
        expect(summary.failed).toBe(1);
        expect(summary.instruments.map((i) => [i.symbol, i.error ?? 'ok'])).toEqual([
          ['NOPE', expect.stringMatching(/series NOPE: Bad Request. The series does not exist/)],
          ['DGS10', 'ok'],
        ]);
      } finally {
        await s2.close();
      }
    });

    it('retries a 429 with Retry-After, then raises RateLimitedError', async () => {
      const s3 = await startLoopback(() => ({
        status: 429,
        headers: { 'retry-after': '5' },
        body: { error_code: 429, error_message: 'Too Many Requests.  Exceeded Rate Limit' },
      }));
      try {
        const c = client(s3);
        await expect(c.series('DGS10')).rejects.toBeInstanceOf(RateLimitedError);
        expect(s3.requests).toHaveLength(3);
      } finally {
        await s3.close();
      }
    });

    it('quarantines an observation with an impossible date instead of storing it', async () => {
      const bad = await startLoopback(
        fredHandler((path) =>
          path === '/fred/series/observations'
            ? {
                body: {
                  count: 2,
                  offset: 0,
                  limit: 100000,
                  observations: [
                    {
                      realtime_start: '2024-02-09',
                      realtime_end: '9999-12-31',
                      date: '2023-02-30',
                      value: '3.9',
                    },
                    {
                      realtime_start: '2024-02-09',
                      realtime_end: '9999-12-31',
                      date: '2023-02-28',
                      value: '3.92',
                    },
                  ],
                },
              }
            : undefined,
        ),
      );
      try {
        const s = await ingestEconomic(db, settings, {
          series: ['DGS10'],
          client: client(bad),
          releases: false,
          since: '2023-02-01',
        });
        expect(s).toMatchObject({ read: 2, stored: 1, quarantined: 1 });
        const q = await db.query<{ rule: string; interval: string }>(
          `SELECT rule, interval FROM ops.quarantine WHERE symbol = 'DGS10' AND source = 'fred'`,
        );
        expect(q.rows).toEqual([{ rule: 'invalid_date', interval: 'economic' }]);
      } finally {
        await bad.close();
      }
    });

    it('loads the shipped samples offline (idempotent)', async () => {
      const s = await loadEconomicSamples(db);
      // samples/fred: DFF 2023 (365 days) and DGS10 2023 (260 business days, 10 of them ".")
      expect(s.instruments.map((i) => i.symbol)).toEqual(['DFF', 'DGS10']);
      expect(s.read).toBe(365 + 260);
      expect(s.quarantined).toBe(0);
      const again = await loadEconomicSamples(db);
      expect(again.stored).toBe(0);
    });
  },
);
