import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Instrument } from '../../core/types.ts';
import { ProviderNotFoundError } from '../errors.ts';
import { collect, describeConnectorFaults } from '../testing/connector-cases.ts';
import { type Loopback, startLoopback, virtualClock } from '../testing/loopback.ts';
import { BINANCE_PAGE_LIMIT, BinanceSource } from './client.ts';

const BTC: Instrument = {
  symbol: 'BTC',
  assetClass: 'crypto',
  name: 'Bitcoin',
  currency: 'USD',
  timezone: 'UTC',
  sources: { binance: 'BTCUSDT' },
};
const HOUR = 3_600_000;
const kline = (t: number, i = 0) => [
  t,
  `${100 + i}.5`,
  `${102 + i}`,
  `${99 + i}`,
  `${101 + i}`,
  '12.5',
  t + HOUR - 1,
  '1250',
  42,
  '6',
  '600',
  '0',
];

describeConnectorFaults('binance', {
  make: (options) => new BinanceSource(options),
  instrument: BTC,
  interval: '1h',
  range: { from: Date.UTC(2024, 0, 2), to: Date.UTC(2024, 0, 3) },
  now: Date.UTC(2024, 0, 5),
  sampleTs: [Date.UTC(2024, 0, 2, 1), Date.UTC(2024, 0, 2, 2), Date.UTC(2024, 0, 2, 3)],
  page: (ts) => ts.map((t, i) => kline(t, i)),
  malformed: { body: [[Date.UTC(2024, 0, 2, 1), '1', '2', 'abc', '1', '1', 0]], field: '[0][3]' },
});

let server: Loopback | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('binance klines', () => {
  it('maps the documented example kline (rest-api.md)', async () => {
    const body = JSON.parse(
      readFileSync(new URL('./fixtures/klines-doc-example.json', import.meta.url), 'utf8'),
    );
    server = await startLoopback(() => ({ body }));
    const source = new BinanceSource({ baseUrl: server.baseUrl, clock: virtualClock(Date.UTC(2020, 0, 1)) });
    const bars = (
      await collect(source.fetchBars(BTC, '1d', { from: 1499040000000, to: 1499040000000 + 86_400_000 }))
    ).flat();
    // Doc example: open time 1499040000000, o 0.01634790, h 0.80000000, l 0.01575800, c 0.01577100, v 148976.11427815.
    expect(bars).toEqual([
      {
        ts: 1499040000000,
        open: 0.0163479,
        high: 0.8,
        low: 0.015758,
        close: 0.015771,
        volume: 148976.11427815,
      },
    ]);
    const url = server.requests[0]?.url;
    expect(Object.fromEntries(url?.searchParams ?? [])).toEqual({
      symbol: 'BTCUSDT',
      interval: '1d',
      startTime: '1499040000000',
      endTime: String(1499040000000 + 86_400_000 - 1),
      limit: '1000',
    });
  });

  it('paginates by startTime until a short page', async () => {
    const from = Date.UTC(2023, 0, 1);
    const total = BINANCE_PAGE_LIMIT + 10;
    server = await startLoopback((req) => {
      const start = Number(req.url.searchParams.get('startTime'));
      const first = Math.ceil((start - from) / HOUR);
      const count = Math.min(BINANCE_PAGE_LIMIT, total - first);
      return { body: Array.from({ length: count }, (_, i) => kline(from + (first + i) * HOUR)) };
    });
    const source = new BinanceSource({ baseUrl: server.baseUrl, clock: virtualClock(Date.UTC(2024, 0, 1)) });
    const pages = await collect(source.fetchBars(BTC, '1h', { from, to: from + total * HOUR }));
    expect(pages.map((p) => p.length)).toEqual([BINANCE_PAGE_LIMIT, 10]);
    expect(server.requests[1]?.url.searchParams.get('startTime')).toBe(
      String(from + BINANCE_PAGE_LIMIT * HOUR),
    );
    const ts = pages.flat().map((b) => b.ts);
    expect(new Set(ts).size).toBe(total);
  });

  it('turns code -1121 (Invalid symbol) into ProviderNotFoundError without retrying', async () => {
    server = await startLoopback(() => ({ status: 400, body: { code: -1121, msg: 'Invalid symbol.' } }));
    const source = new BinanceSource({ baseUrl: server.baseUrl, clock: virtualClock() });
    const err = await collect(source.fetchBars(BTC, '1h', { from: 0, to: HOUR })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderNotFoundError);
    expect(server.requests).toHaveLength(1);
  });
});

describe('binance latest and check', () => {
  it('reads ticker/price and the used-weight header', async () => {
    server = await startLoopback(() => ({
      headers: { 'x-mbx-used-weight-1m': '46' },
      body: { symbol: 'BTCUSDT', price: '43250.12000000' },
    }));
    const clock = virtualClock(Date.UTC(2024, 0, 1));
    const source = new BinanceSource({ baseUrl: server.baseUrl, clock });
    const latest = await source.fetchLatest([BTC]);
    expect(latest.items).toEqual([{ symbol: 'BTC', ts: clock.now(), price: 43250.12, source: 'binance' }]);
    const check = await source.check();
    expect(check).toMatchObject({
      ok: true,
      authenticated: true,
      rate_limit_remaining: 6000 - 46,
      test_symbol: 'BTCUSDT',
    });
  });
});
