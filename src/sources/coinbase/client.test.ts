import { afterEach, describe, expect, it } from 'vitest';
import type { Instrument } from '../../core/types.ts';
import { collect } from '../testing/connector-cases.ts';
import { type Loopback, startLoopback, virtualClock } from '../testing/loopback.ts';
import { COINBASE_PAGE_LIMIT, CoinbaseSource } from './client.ts';

const BTC: Instrument = {
  symbol: 'BTC',
  assetClass: 'crypto',
  name: 'Bitcoin',
  currency: 'USD',
  timezone: 'UTC',
};
let server: Loopback | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('coinbase candles', () => {
  it('reorders [time, low, high, open, close, volume] rows (get-product-candles docs) and pages by 300', async () => {
    const from = Date.UTC(2024, 0, 2);
    server = await startLoopback((req) => {
      const start = Date.parse(req.url.searchParams.get('start') ?? '');
      const end = Date.parse(req.url.searchParams.get('end') ?? '');
      const rows: number[][] = [];
      // Newest first, as Coinbase sends them; the minute at 00:01 had no trade and is absent.
      for (let t = end; t >= start; t -= 60_000)
        if (t !== from + 60_000) rows.push([t / 1000, 9, 12, 10, 11, 2.5]);
      return { body: rows };
    });
    const source = new CoinbaseSource({ baseUrl: server.baseUrl, clock: virtualClock(Date.UTC(2024, 0, 3)) });
    const bars = (await collect(source.fetchBars(BTC, '1m', { from, to: from + 400 * 60_000 }))).flat();
    expect(server.requests.map((r) => r.url.pathname)).toEqual([
      '/products/BTC-USD/candles',
      '/products/BTC-USD/candles',
    ]);
    for (const r of server.requests) {
      const span =
        Date.parse(r.url.searchParams.get('end') ?? '') - Date.parse(r.url.searchParams.get('start') ?? '');
      expect(span / 60_000 + 1).toBeLessThanOrEqual(COINBASE_PAGE_LIMIT);
      expect(r.url.searchParams.get('granularity')).toBe('60');
    }
    expect(bars).toHaveLength(399);
    expect(bars[0]).toEqual({ ts: from, open: 10, high: 12, low: 9, close: 11, volume: 2.5 });
    expect(bars[1]?.ts).toBe(from + 120_000);
  });
});
