import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Instrument } from '../../core/types.ts';
import { ProviderNotFoundError } from '../errors.ts';
import { collect, describeConnectorFaults } from '../testing/connector-cases.ts';
import { type Loopback, startLoopback, virtualClock } from '../testing/loopback.ts';
import { YahooSource } from './client.ts';
import { yahooEvents } from './mapping.ts';
import { YahooChartResponse } from './schema.ts';

/** The recorded body of a yahoo-finance2 HTTP fixture. */
const recorded = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/chart-${name}.json`, import.meta.url), 'utf8')).response
    .bodyJson;

const AAPL: Instrument = {
  symbol: 'AAPL',
  assetClass: 'equity',
  name: 'Apple',
  currency: 'USD',
  timezone: 'America/New_York',
  sources: { yahoo: 'AAPL' },
};
const DAY = 86_400_000;
const chart = (ts: readonly number[]) => ({
  chart: {
    result: [
      {
        meta: { symbol: 'AAPL', exchangeTimezoneName: 'America/New_York', dataGranularity: '1d' },
        ...(ts.length === 0 ? {} : { timestamp: ts.map((t) => t / 1000) }),
        indicators: {
          quote: [
            ts.length === 0
              ? {}
              : {
                  open: ts.map((_, i) => 10 + i),
                  high: ts.map((_, i) => 11 + i),
                  low: ts.map((_, i) => 9 + i),
                  close: ts.map((_, i) => 10.5 + i),
                  volume: ts.map(() => 1000),
                },
          ],
        },
      },
    ],
    error: null,
  },
});

// Session opens 14:30 UTC (09:30 New York, January); daily bars are keyed at 00:00 UTC of the date.
const open = (day: number) => Date.UTC(2024, 0, day, 14, 30);
describeConnectorFaults('yahoo', {
  make: (options) => new YahooSource(options),
  instrument: AAPL,
  interval: '1d',
  range: { from: Date.UTC(2024, 0, 2), to: Date.UTC(2024, 0, 6) },
  now: Date.UTC(2024, 0, 10),
  sampleTs: [open(2), open(3), open(4)],
  expectedTs: (t) => Math.floor(t / DAY) * DAY,
  page: (ts) => chart(ts),
  malformed: {
    body: {
      chart: {
        result: [{ meta: { symbol: 'AAPL' }, timestamp: ['x'], indicators: { quote: [{}] } }],
        error: null,
      },
    },
    field: 'chart.result[0].timestamp[0]',
  },
});

let server: Loopback | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('yahoo chart', () => {
  it('maps the recorded AAPL 2020-08-31 → 2020-11-07 daily chart and parses its split and dividend', async () => {
    const body = recorded('AAPL-2020-08-31-to-2020-11-07');
    server = await startLoopback(() => ({ body }));
    const source = new YahooSource({ baseUrl: server.baseUrl, clock: virtualClock(Date.UTC(2024, 0, 1)) });
    const bars = (
      await collect(source.fetchBars(AAPL, '1d', { from: Date.UTC(2020, 7, 31), to: Date.UTC(2020, 10, 7) }))
    ).flat();
    // Recorded response: 49 timestamps, the first 1598880600 (2020-08-31T13:30Z), none null.
    expect(bars).toHaveLength(49);
    expect(bars[0]?.ts).toBe(Date.UTC(2020, 7, 31));
    const url = server.requests[0]?.url;
    expect(url?.pathname).toBe('/v8/finance/chart/AAPL');
    expect(url?.searchParams.get('period1')).toBe(String(Date.UTC(2020, 7, 31) / 1000));
    expect(url?.searchParams.get('interval')).toBe('1d');
    const events = yahooEvents(YahooChartResponse.parse(body).chart.result?.[0] ?? expect.fail('no result'));
    expect(events.splits).toEqual([{ ts: 1598880600000, numerator: 4, denominator: 1 }]);
    expect(events.dividends).toEqual([{ ts: 1604673000000, amount: 0.205 }]);
  });

  it('keys FX daily bars by the London date (recorded EURUSD=X)', async () => {
    server = await startLoopback(() => ({ body: recorded('EURUSD_X-2020-01-01-to-2020-01-03') }));
    const source = new YahooSource({ baseUrl: server.baseUrl, clock: virtualClock(Date.UTC(2024, 0, 1)) });
    const eur: Instrument = { ...AAPL, symbol: 'EUR_USD', assetClass: 'fx', sources: { yahoo: 'EURUSD=X' } };
    const bars = (
      await collect(source.fetchBars(eur, '1d', { from: Date.UTC(2020, 0, 1), to: Date.UTC(2020, 0, 4) }))
    ).flat();
    // Recorded: timestamps 1577836800, 1577923200, 1578009600; first open 1.1220825910568237.
    expect(bars.map((b) => b.ts)).toEqual([Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3)]);
    expect(bars[0]?.open).toBe(1.1220825910568237);
  });

  it('treats the recorded weekend answer (no timestamp, quote [{}]) as an empty page', async () => {
    server = await startLoopback(() => ({
      body: recorded('AAPL-2025-02-01-to-2025-02-02-includePrePost-false-interval-1m'),
    }));
    const source = new YahooSource({ baseUrl: server.baseUrl, clock: virtualClock(Date.UTC(2025, 2, 1)) });
    const pages = await collect(
      source.fetchBars(AAPL, '1m', { from: Date.UTC(2025, 1, 1), to: Date.UTC(2025, 1, 2) }),
    );
    expect(pages).toEqual([]);
  });

  it('skips timestamps with null prices and reads a null volume as 0', async () => {
    const t = [open(2), open(3), open(4)];
    const body = chart(t);
    const quote = body.chart.result[0]?.indicators.quote[0] as Record<string, Array<number | null>>;
    (quote.close as Array<number | null>)[1] = null;
    (quote.volume as Array<number | null>)[2] = null;
    server = await startLoopback(() => ({ body }));
    const source = new YahooSource({ baseUrl: server.baseUrl, clock: virtualClock(Date.UTC(2024, 1, 1)) });
    const bars = (
      await collect(source.fetchBars(AAPL, '1d', { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 10) }))
    ).flat();
    expect(bars.map((b) => [new Date(b.ts).getUTCDate(), b.volume])).toEqual([
      [2, 1000],
      [4, 0],
    ]);
  });

  it('splits 1m ranges into 7-day requests', async () => {
    server = await startLoopback(() => ({ body: chart([]) }));
    const source = new YahooSource({ baseUrl: server.baseUrl, clock: virtualClock(Date.UTC(2024, 1, 1)) });
    await collect(source.fetchBars(AAPL, '1m', { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 16) }));
    expect(server.requests).toHaveLength(3);
  });

  it('reads the documented 404 "No data found, symbol may be delisted" as not found', async () => {
    server = await startLoopback(() => ({
      status: 404,
      body: {
        chart: {
          result: null,
          error: { code: 'Not Found', description: 'No data found, symbol may be delisted' },
        },
      },
    }));
    const source = new YahooSource({ baseUrl: server.baseUrl, clock: virtualClock() });
    const err = await collect(source.fetchBars(AAPL, '1d', { from: 0, to: DAY })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderNotFoundError);
    expect(String(err)).toMatch(/delisted/);
  });
});

describe('yahoo latest', () => {
  it('reads regularMarketPrice from the recorded BTC-USD meta', async () => {
    server = await startLoopback(() => ({
      body: recorded('BTC-USD-2020-01-01-to-2020-01-03'),
    }));
    const source = new YahooSource({ baseUrl: server.baseUrl, clock: virtualClock() });
    const btc: Instrument = { ...AAPL, symbol: 'BTC', assetClass: 'crypto', sources: { yahoo: 'BTC-USD' } };
    const latest = await source.fetchLatest([btc]);
    // Recorded meta: regularMarketPrice 97208.17 at regularMarketTime 1740051840.
    expect(latest.items[0]).toMatchObject({
      symbol: 'BTC',
      ts: 1740051840000,
      price: 97208.17,
      source: 'yahoo',
    });
  });
});
