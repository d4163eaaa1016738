import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Instrument } from '../../core/types.ts';
import { ProviderNotFoundError } from '../errors.ts';
import { collect, describeConnectorFaults } from '../testing/connector-cases.ts';
import { type Loopback, startLoopback, virtualClock } from '../testing/loopback.ts';
import { OandaSource } from './client.ts';

const EUR_USD: Instrument = {
  symbol: 'EUR_USD',
  assetClass: 'fx',
  name: 'Euro / US dollar',
  currency: 'USD',
  timezone: 'America/New_York',
  sources: { oanda: 'EUR_USD' },
};
const HOUR = 3_600_000;
const nanos = (t: number): string => new Date(t).toISOString().replace('Z', '000000Z');
const candle = (t: number, i = 0, complete = true) => ({
  complete,
  volume: 100 + i,
  time: nanos(t),
  mid: { o: `1.10${i}0`, h: `1.10${i}5`, l: `1.09${i}5`, c: `1.10${i}2` },
});
const candles = (ts: readonly number[], granularity = 'H1') => ({
  instrument: 'EUR_USD',
  granularity,
  candles: ts.map((t, i) => candle(t, i)),
});

describeConnectorFaults('oanda', {
  make: (options) => new OandaSource(options),
  instrument: EUR_USD,
  interval: '1h',
  range: { from: Date.UTC(2024, 0, 2), to: Date.UTC(2024, 0, 3) },
  now: Date.UTC(2024, 0, 5),
  sampleTs: [Date.UTC(2024, 0, 2, 1), Date.UTC(2024, 0, 2, 2), Date.UTC(2024, 0, 2, 3)],
  page: (ts) => candles(ts),
  malformed: {
    body: {
      instrument: 'EUR_USD',
      granularity: 'H1',
      candles: [{ ...candle(0), mid: { o: '1', h: '1', l: 1, c: '1' } }],
    },
    field: 'candles[0].mid.l',
  },
  badKey: { status: 401, body: { errorMessage: 'Insufficient authorization to perform request.' } },
});

let server: Loopback | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('oanda candles', () => {
  it('maps the documented DE30_EUR M5 example with a bearer token and nanosecond times', async () => {
    const body = JSON.parse(
      readFileSync(new URL('./fixtures/candles-DE30_EUR-M5.json', import.meta.url), 'utf8'),
    );
    server = await startLoopback(() => ({ body }));
    const source = new OandaSource({
      baseUrl: server.baseUrl,
      apiKey: 'tok',
      clock: virtualClock(Date.UTC(2020, 0, 1)),
    });
    const de30: Instrument = { ...EUR_USD, symbol: 'DE30_EUR', sources: { oanda: 'DE30_EUR' } };
    const from = Date.UTC(2016, 9, 17, 19, 35);
    const bars = (await collect(source.fetchBars(de30, '5m', { from, to: from + 3_600_000 }))).flat();
    // Example: 19:35 o 10503.8 h 10508.0 l 10503.8 c 10506.0 volume 132; five candles 19:35 … 19:55.
    expect(bars[0]).toEqual({
      ts: from,
      open: 10503.8,
      high: 10508,
      low: 10503.8,
      close: 10506,
      volume: 132,
    });
    expect(bars).toHaveLength(5);
    const req = server.requests[0];
    expect(req?.headers.authorization).toBe('Bearer tok');
    expect(req?.url.pathname).toBe('/v3/instruments/DE30_EUR/candles');
    expect(Object.fromEntries(req?.url.searchParams ?? [])).toMatchObject({
      granularity: 'M5',
      price: 'M',
      from: '2016-10-17T19:35:00.000Z',
      count: '5000',
    });
  });

  it('paginates with from + count and keeps only complete candles', async () => {
    const from = Date.UTC(2024, 0, 2);
    server = await startLoopback((req) => {
      const start = Date.parse(req.url.searchParams.get('from') ?? '');
      const k = Math.round((start - from) / HOUR);
      if (k === 0) return { body: candles([from, from + HOUR, from + 2 * HOUR]) };
      // Last page: one complete and one still-forming candle.
      return {
        body: {
          instrument: 'EUR_USD',
          granularity: 'H1',
          candles: [candle(from + 3 * HOUR), candle(from + 4 * HOUR, 1, false)],
        },
      };
    });
    const source = new OandaSource({
      baseUrl: server.baseUrl,
      apiKey: 't',
      pageSize: 3,
      clock: virtualClock(Date.UTC(2024, 1, 1)),
    });
    const pages = await collect(source.fetchBars(EUR_USD, '1h', { from, to: from + 10 * HOUR }));
    expect(pages.map((p) => p.map((b) => (b.ts - from) / HOUR))).toEqual([[0, 1, 2], [3]]);
    expect(server.requests[1]?.url.searchParams.get('from')).toBe(new Date(from + 3 * HOUR).toISOString());
    expect(server.requests).toHaveLength(2);
  });

  it('asks for UTC-aligned daily candles', async () => {
    server = await startLoopback(() => ({ body: candles([Date.UTC(2024, 0, 2)], 'D') }));
    const source = new OandaSource({
      baseUrl: server.baseUrl,
      apiKey: 't',
      clock: virtualClock(Date.UTC(2024, 1, 1)),
    });
    const bars = (
      await collect(source.fetchBars(EUR_USD, '1d', { from: Date.UTC(2024, 0, 2), to: Date.UTC(2024, 0, 3) }))
    ).flat();
    expect(bars.map((b) => b.ts)).toEqual([Date.UTC(2024, 0, 2)]);
    expect(server.requests[0]?.url.searchParams.get('dailyAlignment')).toBe('0');
    expect(server.requests[0]?.url.searchParams.get('alignmentTimezone')).toBe('UTC');
  });

  it('reads 400 "Invalid value specified for \'instrument\'" as not found', async () => {
    server = await startLoopback(() => ({
      status: 400,
      body: { errorMessage: "Invalid value specified for 'instrument'" },
    }));
    const source = new OandaSource({ baseUrl: server.baseUrl, apiKey: 't', clock: virtualClock() });
    const err = await collect(source.fetchBars(EUR_USD, '1h', { from: 0, to: HOUR })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderNotFoundError);
  });
});

describe('oanda latest', () => {
  it('takes the newest M1 candle close, stamped now while it is forming', async () => {
    const now = Date.UTC(2024, 0, 2, 12, 0, 30);
    server = await startLoopback(() => ({
      body: {
        instrument: 'EUR_USD',
        granularity: 'M1',
        candles: [candle(Date.UTC(2024, 0, 2, 12), 0, false)],
      },
    }));
    const source = new OandaSource({ baseUrl: server.baseUrl, apiKey: 't', clock: virtualClock(now) });
    const latest = await source.fetchLatest([EUR_USD]);
    expect(latest.items).toEqual([
      { symbol: 'EUR_USD', ts: now, price: 1.1002, source: 'oanda', volume: 100 },
    ]);
    expect((await source.check()).ok).toBe(true);
  });
});
