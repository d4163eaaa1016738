import { afterEach, describe, expect, it } from 'vitest';
import type { Instrument } from '../../core/types.ts';
import { collect } from '../testing/connector-cases.ts';
import { type Loopback, startLoopback, virtualClock } from '../testing/loopback.ts';
import { KrakenSource } from './client.ts';

const USDC: Instrument = {
  symbol: 'USDC',
  assetClass: 'stablecoin',
  name: 'USD Coin',
  currency: 'USD',
  timezone: 'UTC',
  pegTarget: 1,
};
let server: Loopback | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('kraken OHLC', () => {
  it('maps [time, o, h, l, c, vwap, volume, count] string rows (get-ohlc-data docs) and drops the forming minute', async () => {
    const t0 = Date.UTC(2024, 0, 2, 10, 0) / 1000;
    server = await startLoopback(() => ({
      body: {
        error: [],
        result: {
          USDCUSD: [
            [t0, '1.0001', '1.0002', '0.9999', '1.0000', '1.0000', '1200.5', 12],
            // An empty minute: flat, zero volume.
            [t0 + 60, '1.0000', '1.0000', '1.0000', '1.0000', '0.0000', '0.00000000', 0],
            [t0 + 120, '1.0000', '1.0003', '1.0000', '1.0002', '1.0001', '10', 2],
          ],
          last: t0 + 120,
        },
      },
    }));
    // 10:02:30: the 10:02 minute is still forming.
    const source = new KrakenSource({ baseUrl: server.baseUrl, clock: virtualClock((t0 + 150) * 1000) });
    const bars = (
      await collect(source.fetchBars(USDC, '1m', { from: t0 * 1000, to: (t0 + 180) * 1000 }))
    ).flat();
    expect(server.requests[0]?.url.searchParams.get('pair')).toBe('USDC/USD');
    expect(server.requests[0]?.url.searchParams.get('interval')).toBe('1');
    expect(bars).toEqual([
      { ts: t0 * 1000, open: 1.0001, high: 1.0002, low: 0.9999, close: 1, volume: 1200.5 },
      { ts: (t0 + 60) * 1000, open: 1, high: 1, low: 1, close: 1, volume: 0 },
    ]);
  });

  it('reports a Kraken error body as a failed request', async () => {
    server = await startLoopback(() => ({ body: { error: ['EQuery:Unknown asset pair'] } }));
    const source = new KrakenSource({ baseUrl: server.baseUrl, clock: virtualClock(Date.UTC(2024, 0, 3)) });
    await expect(
      collect(source.fetchBars(USDC, '1m', { from: Date.UTC(2024, 0, 2), to: Date.UTC(2024, 0, 2, 1) })),
    ).rejects.toThrow(/Unknown asset pair/);
  });
});
