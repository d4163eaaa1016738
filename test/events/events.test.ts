import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAdjustedBars } from '../../src/analytics/adjusted-bars-reader.ts';
import { computeIndicators } from '../../src/analytics/service.ts';
import type { Instrument, StoredBar } from '../../src/core/types.ts';
import { importEventsCsv } from '../../src/pipeline/feeds/events/csv-import.ts';
import { loadEventSamples } from '../../src/pipeline/feeds/events/samples.ts';
import { ingestEvents } from '../../src/pipeline/feeds/events/service.ts';
import { loadSettings } from '../../src/settings.ts';
import { AlphaVantageClient } from '../../src/sources/alphavantage/client.ts';
import { PolygonReferenceClient } from '../../src/sources/polygon/reference.ts';
import {
  type Loopback,
  type Reply,
  seededRandom,
  virtualClock,
  withLoopback,
} from '../../src/sources/testing/loopback.ts';
import type { Db } from '../../src/store/db.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { readCorporateActions, readEvents } from '../../src/store/repos/events.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { type TestBackend, testBackends } from '../store/backends.ts';

const SRC = join(import.meta.dirname, '../../src/sources');
const read = (p: string) => readFileSync(join(SRC, p), 'utf8');
const settings = loadSettings({ MARKETPIPE_HOME: '/tmp/mp-events-test' });
const equity = (symbol: string, sources: Record<string, string> = {}): Instrument => ({
  symbol,
  assetClass: 'equity',
  name: symbol,
  currency: 'USD',
  timezone: 'America/New_York',
  sources,
});
const opts = (server: Loopback) => ({
  baseUrl: server.baseUrl,
  apiKey: 'events-key-0123456789',
  clock: virtualClock(),
  random: seededRandom(9),
  limits: { timeoutMs: 2000, retry: { maxRetries: 1, baseDelayMs: 10 } },
});

const backends = await testBackends('events');

describe.each(backends.map((b) => [b.name, b] as [string, TestBackend]))('events on %s', (_n, backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
    await upsertInstruments(db, [
      equity('AAPL', { polygon: 'AAPL' }),
      equity('MSFT'),
      equity('NVDA'),
      equity('SPY'),
    ]);
  });
  afterAll(async () => backend.dispose(db));

  it('Polygon reference: dividends over two pages (next_url) and splits; a re-run is unchanged', async () => {
    const handler = (req: { url: URL }): Reply => {
      if (req.url.searchParams.get('apiKey') !== 'events-key-0123456789')
        return { status: 401, body: { status: 'ERROR', error: 'Unknown API Key' } };
      if (req.url.pathname === '/v3/reference/dividends') {
        return {
          body: read(
            `polygon/fixtures/reference-dividends-AAPL${req.url.searchParams.has('cursor') ? '-page2' : ''}.json`,
          ),
        };
      }
      if (req.url.pathname === '/v3/reference/splits')
        return { body: read('polygon/fixtures/reference-splits-AAPL.json') };
      return { status: 404, body: { status: 'NOT_FOUND' } };
    };
    await withLoopback(handler, async (server) => {
      const polygon = new PolygonReferenceClient(opts(server));
      const s = await ingestEvents(db, settings, { symbols: ['AAPL'], polygon });
      // fixtures: 2 dividends (2 pages) + 2 splits
      expect(s).toMatchObject({ read: 4, stored: 4, failed: 0, quarantined: 0 });
      // the next page was asked from our origin without repeating a key in the cursor URL
      expect(server.requests[1]?.url.searchParams.get('cursor')).toBe(
        'YWN0aXZlPXRydWUmZGF0ZT0yMDIxLTA0LTI1JmxpbWl0PTEmb3JkZXI9YXNj',
      );
      const events = await readEvents(db, { symbol: 'AAPL' });
      expect(
        events
          .filter((e) => e.type === 'dividend')
          .map((e) => [e.ex_date, e.record_date, e.pay_date, e.amount]),
      ).toEqual([
        ['2024-05-10', '2024-05-13', '2024-05-16', 0.25],
        ['2024-02-09', '2024-02-12', '2024-02-15', 0.24],
      ]);
      expect(events.filter((e) => e.type === 'split').map((e) => [e.date, e.ratio])).toEqual([
        ['2020-08-31', 4],
        ['2014-06-09', 7],
      ]);
      const again = await ingestEvents(db, settings, { symbols: ['AAPL'], polygon });
      expect(again).toMatchObject({ read: 4, stored: 0, unchanged: 4 });
    });
  });

  it('AlphaVantage EARNINGS_CALENDAR (CSV): estimates and time of day for our instruments only', async () => {
    await withLoopback(
      (req) =>
        req.url.searchParams.get('function') === 'EARNINGS_CALENDAR'
          ? { body: read('alphavantage/fixtures/earnings-calendar.csv') }
          : { status: 404 },
      async (server) => {
        const s = await ingestEvents(db, settings, {
          symbols: ['AAPL', 'MSFT'],
          alphavantage: new AlphaVantageClient(opts(server)),
        });
        // the calendar lists AAPL, MSFT and IBM; IBM is not ours
        expect(s).toMatchObject({ read: 2, stored: 2, failed: 0 });
        const [e] = await readEvents(db, { symbol: 'MSFT', type: 'earnings' });
        expect(e).toMatchObject({
          date: '2024-04-25',
          estimate: 2.82,
          actual: null,
          time_of_day: 'amc',
          fiscal_period: '2024-03-31',
        });
      },
    );
  });

  it('AlphaVantage: a Note body on the CSV endpoint is rate limiting, nothing stored', async () => {
    await withLoopback(
      () => ({ body: read('alphavantage/fixtures/note-rate-limit.json') }),
      async (server) => {
        const s = await ingestEvents(db, settings, {
          symbols: ['NVDA'],
          alphavantage: new AlphaVantageClient(opts(server)),
        });
        expect(s).toMatchObject({ read: 0, stored: 0, failed: 1 });
        expect(s.instruments[0]?.error).toMatch(/rate limited: Thank you for using Alpha Vantage/);
      },
    );
  });

  it('imports events from CSV; bad rows are quarantined, unknown instruments reported', async () => {
    const csv = [
      'type,symbol,date,amount,split_from,split_to,estimate,actual,time_of_day,period,forecast,previous',
      'dividend,MSFT,2024-05-15,0.75,,,,,,,,',
      'dividend,MSFT,2024-13-01,0.75,,,,,,,,',
      'split,NVDA,2024-06-10,,1,10,,,,,,',
      'split,NVDA,2024-06-11,,0,10,,,,,,',
      'earnings,NVDA,2024-05-22,,,,5.59,6.12,amc,,,',
      'economic,UNRATE,2024-05-03,,,,,3.9,,2024-04-01,3.8,3.8',
      'dividend,ZZZZ,2024-01-02,1,,,,,,,,',
      'buyback,MSFT,2024-01-02,,,,,,,,,',
    ].join('\n');
    const s = await importEventsCsv(db, csv);
    expect(s).toMatchObject({ stored: 4, quarantined: 3, failed: 1 });
    expect(s.instruments.find((i) => i.symbol === 'ZZZZ')?.error).toMatch(/unknown instrument "ZZZZ"/);
    const [earn] = await readEvents(db, { symbol: 'NVDA', type: 'earnings' });
    expect(earn?.surprise).toBeCloseTo(6.12 - 5.59, 12);
    const [eco] = await readEvents(db, { symbol: 'UNRATE', type: 'economic' });
    expect(eco).toMatchObject({
      date: '2024-05-03',
      period: '2024-04-01',
      actual: 3.9,
      forecast: 3.8,
      previous: 3.8,
    });
    const q = await db.query<{ rule: string }>(
      `SELECT rule FROM ops.quarantine WHERE interval LIKE 'events%' ORDER BY rule`,
    );
    expect(q.rows.map((r) => r.rule)).toEqual(['invalid_date', 'invalid_value', 'unknown_event_type']);
  });

  it('a stored 10:1 split never shows up as a −90 % day in split or adjusted mode (raw bars unchanged)', async () => {
    // NVDA traded ~1200 before its 10-for-1 split (ex 2024-06-10) and ~120 after; bars stored raw.
    const closes: Array<[string, number]> = [
      ['2024-06-05', 1224.4],
      ['2024-06-06', 1209.98],
      ['2024-06-07', 1208.88],
      ['2024-06-10', 121.79],
      ['2024-06-11', 120.91],
    ];
    const bars: StoredBar[] = closes.map(([d, c]) => ({
      symbol: 'NVDA',
      interval: '1d',
      source: 'test',
      ts: Date.parse(`${d}T00:00:00Z`),
      open: c,
      high: c,
      low: c,
      close: c,
      volume: 1000,
    }));
    await upsertBars(db, bars);
    const range = { from: Date.UTC(2024, 5, 1), to: Date.UTC(2024, 5, 12) };
    const ret = (xs: { close: number }[]) =>
      xs.slice(1).map((b, i) => b.close / (xs[i]?.close ?? Number.NaN) - 1);
    const raw = await readAdjustedBars(db, 'NVDA', '1d', range, 'raw');
    expect(Math.min(...ret(raw))).toBeLessThan(-0.89);
    for (const mode of ['split', 'adjusted', 'total-return'] as const) {
      const adj = await readAdjustedBars(db, 'NVDA', '1d', range, mode);
      expect(Math.min(...ret(adj)), `${mode}: worst day`).toBeGreaterThan(-0.05);
    }
    expect((await readAdjustedBars(db, 'NVDA', '1d', range, 'split'))[0]?.close).toBeCloseTo(122.44, 9);
    expect((await readAdjustedBars(db, 'NVDA', '1d', range, 'raw'))[0]?.close).toBe(1224.4);
    // the indicators read the same adjusted series (analytics indicators --adjust split)
    const ind = await computeIndicators(db, 'NVDA', { adjust: 'split', dryRun: true });
    expect(ind.rows.map((r) => r.close)).toEqual(
      [122.44, 120.998, 120.888, 121.79, 120.91].map((x) => expect.closeTo(x, 9)),
    );
  });

  it('loads the shipped samples, idempotently', async () => {
    const s = await loadEventSamples(db);
    // samples/events/events.csv: 6 SPY + 2 AAPL + 2 MSFT dividends, 2 splits, 4 earnings, 2 economic
    expect(s.read).toBe(18);
    expect(s.failed).toBe(0);
    expect((await readCorporateActions(db, 'SPY')).dividends).toHaveLength(6);
    expect((await loadEventSamples(db)).stored).toBe(0);
  });
});
