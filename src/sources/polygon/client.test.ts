import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Instrument } from '../../core/types.ts';
import { collect, describeConnectorFaults } from '../testing/connector-cases.ts';
import { type Loopback, startLoopback, virtualClock } from '../testing/loopback.ts';
import { PolygonSource } from './client.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

const AAPL: Instrument = {
  symbol: 'AAPL',
  assetClass: 'equity',
  name: 'Apple',
  currency: 'USD',
  timezone: 'America/New_York',
  sources: { polygon: 'AAPL' },
};

const HOUR = 3_600_000;
const aggs = (ts: readonly number[], extra: Record<string, unknown> = {}) => ({
  ticker: 'AAPL',
  status: 'OK',
  resultsCount: ts.length,
  ...(ts.length === 0
    ? {}
    : { results: ts.map((t, i) => ({ t, o: 10 + i, h: 11 + i, l: 9 + i, c: 10.5 + i, v: 1000 })) }),
  ...extra,
});

describeConnectorFaults('polygon', {
  make: (options) => new PolygonSource(options),
  instrument: AAPL,
  interval: '1h',
  range: { from: Date.UTC(2024, 0, 2), to: Date.UTC(2024, 0, 3) },
  now: Date.UTC(2024, 0, 5),
  sampleTs: [Date.UTC(2024, 0, 2, 14), Date.UTC(2024, 0, 2, 15), Date.UTC(2024, 0, 2, 16)],
  page: (ts) => aggs(ts),
  malformed: { body: { status: 'OK', results: [{ t: 1, o: 1, h: 1, l: 1, c: 'x' }] }, field: 'results[0].c' },
});

let server: Loopback | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('polygon aggregates', () => {
  it('maps the official SDK mock (2005-04-01 and 04-04) to daily bars keyed at 00:00 UTC', async () => {
    server = await startLoopback(() => ({ body: fixture('range-AAPL-1-day-2005-04-01_2005-04-04.json') }));
    const source = new PolygonSource({
      baseUrl: server.baseUrl,
      apiKey: 'k',
      clock: virtualClock(Date.UTC(2024, 0, 1)),
    });
    const bars = (
      await collect(source.fetchBars(AAPL, '1d', { from: Date.UTC(2005, 3, 1), to: Date.UTC(2005, 3, 5) }))
    ).flat();
    // Fixture: t=1112331600000 (2005-04-01T05:00Z, midnight New York), o 1.5032 … c 1.4604, v 642646396.
    expect(bars[0]).toEqual({
      ts: Date.UTC(2005, 3, 1),
      open: 1.5032,
      high: 1.5064,
      low: 1.4489,
      close: 1.4604,
      volume: 642646396,
    });
    expect(bars.map((b) => new Date(b.ts).toISOString().slice(0, 10))).toEqual(['2005-04-01', '2005-04-04']);
    const url = server.requests[0]?.url;
    expect(url?.pathname).toBe('/v2/aggs/ticker/AAPL/range/1/day/2005-04-01/2005-04-04');
    expect(url?.searchParams.get('adjusted')).toBe('true');
    expect(url?.searchParams.get('sort')).toBe('asc');
    expect(url?.searchParams.get('limit')).toBe('50000');
    expect(url?.searchParams.get('apiKey')).toBe('k');
  });

  it('follows next_url across pages on our own origin, re-appending the key', async () => {
    const t0 = Date.UTC(2024, 0, 2, 14);
    server = await startLoopback((req, i) => {
      if (i === 0)
        return {
          body: aggs([t0, t0 + HOUR], {
            next_url: `https://api.polygon.io/v2/aggs/ticker/AAPL/range/1/hour/x/y?cursor=abc`,
          }),
        };
      expect(req.url.searchParams.get('cursor')).toBe('abc');
      // The second page overlaps the first by one bar: it must not be repeated.
      return { body: aggs([t0 + HOUR, t0 + 2 * HOUR]) };
    });
    const source = new PolygonSource({
      baseUrl: server.baseUrl,
      apiKey: 'k',
      clock: virtualClock(Date.UTC(2024, 1, 1)),
    });
    const pages = await collect(
      source.fetchBars(AAPL, '1h', { from: Date.UTC(2024, 0, 2), to: Date.UTC(2024, 0, 3) }),
    );
    expect(pages.map((p) => p.map((b) => b.ts))).toEqual([[t0, t0 + HOUR], [t0 + 2 * HOUR]]);
    expect(server.requests[1]?.url.searchParams.get('apiKey')).toBe('k');
    expect(server.requests).toHaveLength(2);
  });

  it('leaves out a bar still forming at now', async () => {
    const t0 = Date.UTC(2024, 0, 2, 14);
    server = await startLoopback(() => ({ body: aggs([t0, t0 + HOUR]) }));
    const source = new PolygonSource({
      baseUrl: server.baseUrl,
      apiKey: 'k',
      clock: virtualClock(t0 + HOUR + 60_000),
    });
    const bars = (await collect(source.fetchBars(AAPL, '1h', { from: t0, to: t0 + 5 * HOUR }))).flat();
    expect(bars.map((b) => b.ts)).toEqual([t0]);
  });
});

describe('polygon latest and check', () => {
  it('reads the previous close from /prev (SDK mock) and reports a missing ticker as an error', async () => {
    server = await startLoopback((req) =>
      req.url.pathname.includes('/AAPL/')
        ? { body: fixture('prev-AAPL.json') }
        : { body: { status: 'OK', resultsCount: 0 } },
    );
    const source = new PolygonSource({ baseUrl: server.baseUrl, apiKey: 'k', clock: virtualClock() });
    const nope: Instrument = { ...AAPL, symbol: 'NOPE', sources: { polygon: 'NOPE' } };
    const result = await source.fetchLatest([AAPL, nope]);
    // Fixture: c 156.8 at t 1651003200000, v 95595226.
    expect(result.items).toEqual([
      { symbol: 'AAPL', ts: 1651003200000, price: 156.8, source: 'polygon', volume: 95595226 },
    ]);
    expect(result.errors.map((e) => [e.symbol, e.error.name])).toEqual([['NOPE', 'ProviderNotFoundError']]);
  });

  it('check() reports auth failure without throwing', async () => {
    server = await startLoopback(() => ({
      status: 401,
      body: { status: 'ERROR', error: 'Unknown API Key' },
    }));
    const source = new PolygonSource({ baseUrl: server.baseUrl, apiKey: 'bad', clock: virtualClock() });
    const check = await source.check();
    expect(check).toMatchObject({ source: 'polygon', ok: false, authenticated: false, test_symbol: 'AAPL' });
    expect(check.error).toMatch(/refused \(401\)/);
  });
});
