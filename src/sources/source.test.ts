import { afterEach, describe, expect, it } from 'vitest';
import type { Instrument } from '../core/types.ts';
import { createSources, sourcesFor } from './source.ts';
import { type Loopback, startLoopback, virtualClock } from './testing/loopback.ts';
import { SOURCE_NAMES } from './types.ts';

const inst = (
  symbol: string,
  assetClass: Instrument['assetClass'],
  sources: Record<string, string>,
): Instrument => ({
  symbol,
  assetClass,
  name: symbol,
  currency: 'USD',
  timezone: 'UTC',
  sources,
});

let server: Loopback | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('createSources', () => {
  it('builds every named source; key-less Polygon and OANDA are not configured', () => {
    const sources = createSources({});
    expect(Object.keys(sources).sort()).toEqual([...SOURCE_NAMES].sort());
    for (const name of SOURCE_NAMES) expect(sources[name].name).toBe(name);
    expect(sources.polygon.configured).toBe(false);
    expect(sources.oanda.configured).toBe(false);
    expect(sources.yahoo.configured).toBe(true);
  });

  it('takes base URLs and keys from settings.providers', async () => {
    server = await startLoopback(() => ({
      body: { ticker: 'AAPL', status: 'OK', results: [{ t: 1, o: 1, h: 1, l: 1, c: 2, v: 3 }] },
    }));
    const sources = createSources(
      { providers: { polygon: { baseUrl: server.baseUrl, apiKey: 'pk' } } },
      { clock: virtualClock() },
    );
    expect(sources.polygon.configured).toBe(true);
    const latest = await sources.polygon.fetchLatest([inst('AAPL', 'equity', { polygon: 'AAPL' })]);
    expect(latest.items[0]?.price).toBe(2);
    expect(server.requests[0]?.url.searchParams.get('apiKey')).toBe('pk');
  });

  it('reports a missing key in check() without a request', async () => {
    const check = await createSources({}).polygon.check();
    expect(check).toEqual({
      source: 'polygon',
      ok: false,
      latency_ms: 0,
      authenticated: false,
      test_symbol: 'AAPL',
      error: 'POLYGON_API_KEY is not set',
    });
  });

  it('routes every provider to the synthetic source in mock mode', () => {
    const sources = createSources({ useMockData: true });
    for (const name of SOURCE_NAMES) expect(sources[name].name).toBe('synthetic');
  });
});

describe('sourcesFor', () => {
  it('orders by asset-class preference, skipping unconfigured and unsupported sources', () => {
    const sources = createSources({ apiKeys: { polygon: 'k' } });
    const aapl = inst('AAPL', 'equity', { polygon: 'AAPL', yahoo: 'AAPL' });
    expect(sourcesFor(sources, aapl).map((s) => s.name)).toEqual(['polygon', 'yahoo']);
    expect(sourcesFor(createSources({}), aapl).map((s) => s.name)).toEqual(['yahoo']);
    const usdt = inst('USDT', 'stablecoin', { coingecko: 'tether' });
    expect(sourcesFor(sources, usdt).map((s) => s.name)).toEqual(['coingecko']);
    expect(sourcesFor(sources, usdt, { interval: '5m' }).map((s) => s.name)).toEqual([]);
    expect(sourcesFor(sources, usdt, { only: 'synthetic' }).map((s) => s.name)).toEqual(['synthetic']);
  });
});
