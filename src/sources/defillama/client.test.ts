import { afterEach, describe, expect, it } from 'vitest';
import { BadPayloadError, ProviderUnavailableError, RateLimitedError } from '../errors.ts';
import {
  type Handler,
  type Loopback,
  seededRandom,
  startLoopback,
  virtualClock,
} from '../testing/loopback.ts';
import { DefiLlamaClient } from './client.ts';
import { latestSupply, supplyChange24h } from './mapping.ts';

/**
 * Bodies in DefiLlama's documented shapes (api-docs.llama.fi, "stablecoins" and "coins"): ids as strings,
 * amounts under the peg type, chart dates as Unix-seconds strings. Numbers are made up.
 */
const LIST = {
  peggedAssets: [
    {
      id: '2',
      name: 'USD Coin',
      symbol: 'USDC',
      gecko_id: 'usd-coin',
      pegType: 'peggedUSD',
      pegMechanism: 'fiat-backed',
      circulating: { peggedUSD: 33_000_000_000 },
      circulatingPrevDay: { peggedUSD: 33_100_000_000 },
      chainCirculating: {
        Ethereum: { current: { peggedUSD: 25_000_000_000 } },
        Solana: { current: { peggedUSD: 8_000_000_000 } },
        Tron: { current: {} },
      },
      chains: ['Ethereum', 'Solana', 'Tron'],
      price: 0.9998,
    },
  ],
};
const CHART = [
  { date: '1678406400', totalCirculating: { peggedUSD: 43_000_000_000 } },
  { date: '1678492800', totalCirculating: { peggedUSD: 40_000_000_000 } },
  { date: '1678579200', totalCirculating: { peggedUSD: 38_000_000_000 } },
];
const PRICES = {
  coins: {
    'coingecko:usd-coin': { price: 0.9998, symbol: 'USDC', timestamp: 1_700_000_000, confidence: 0.99 },
  },
};

let server: Loopback | undefined;
afterEach(async () => server?.close());

async function client(handler: Handler): Promise<DefiLlamaClient> {
  server = await startLoopback(handler);
  return new DefiLlamaClient({
    baseUrl: server.baseUrl,
    clock: virtualClock(),
    random: seededRandom(1),
    limits: { retry: { maxRetries: 2 } },
  });
}

const route: Handler = (req) => {
  if (req.url.pathname === '/stablecoins') return { body: LIST };
  if (req.url.pathname === '/stablecoincharts/all') return { body: CHART };
  if (req.url.pathname.startsWith('/prices/current/')) return { body: PRICES };
  return { status: 404, body: { message: 'not found' } };
};

describe('DefiLlama stablecoins (loopback, documented wire format)', () => {
  it('reads the list: total and per-chain supply now; a chain without an amount is reported missing', async () => {
    const c = await client(route);
    const [usdc] = await c.stablecoins();
    expect(usdc?.symbol).toBe('USDC');
    if (!usdc) return;
    const now = Date.UTC(2024, 0, 1);
    const { points, missing } = latestSupply(usdc, now);
    expect(points).toEqual([
      { symbol: 'USDC', chain: 'all', ts: now, circulating: 33_000_000_000 },
      { symbol: 'USDC', chain: 'Ethereum', ts: now, circulating: 25_000_000_000 },
      { symbol: 'USDC', chain: 'Solana', ts: now, circulating: 8_000_000_000 },
    ]);
    expect(missing).toEqual(['Tron']);
  });

  it('reads daily history (Unix-seconds strings → ms UTC) and the 24 h change', async () => {
    const c = await client(route);
    const hist = await c.supplyHistory({ id: '2', symbol: 'USDC', pegType: 'peggedUSD' });
    expect(server?.requests[0]?.url.searchParams.get('stablecoin')).toBe('2');
    // 1678579200 s = 2023-03-12T00:00:00Z (the weekend of the SVB failure).
    expect(hist.map((p) => p.ts)).toEqual([
      Date.UTC(2023, 2, 10),
      Date.UTC(2023, 2, 11),
      Date.UTC(2023, 2, 12),
    ]);
    // 38 / 40 − 1 = −5 %.
    expect(supplyChange24h(hist)).toBeCloseTo(-0.05, 12);
  });

  it('reads coin prices', async () => {
    const c = await client(route);
    expect(await c.prices(['coingecko:usd-coin'])).toEqual([
      { key: 'coingecko:usd-coin', ts: 1_700_000_000_000, price: 0.9998, confidence: 0.99 },
    ]);
  });
});

describe('DefiLlama faults', () => {
  it('retries a 429 after Retry-After, then answers', async () => {
    const c = await client((req, i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '2' } } : route(req, i),
    );
    expect(await c.stablecoins()).toHaveLength(1);
    expect(server?.requests).toHaveLength(2);
  });

  it('gives up on a lasting 429 with RateLimitedError and on lasting 5xx with ProviderUnavailableError', async () => {
    let c = await client(() => ({ status: 429, headers: { 'retry-after': '1' }, body: 'slow down' }));
    await expect(c.stablecoins()).rejects.toBeInstanceOf(RateLimitedError);
    await server?.close();
    c = await client(() => ({ status: 503, body: '<html>busy</html>' }));
    await expect(c.stablecoins()).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(server?.requests).toHaveLength(3);
  });

  it('refuses a malformed body with BadPayloadError', async () => {
    const c = await client(() => ({ body: { peggedAssets: [{ id: 2, symbol: 'USDC' }] } }));
    await expect(c.stablecoins()).rejects.toBeInstanceOf(BadPayloadError);
    await server?.close();
    const c2 = await client(() => ({ body: '{"peggedAssets": [' }));
    await expect(c2.stablecoins()).rejects.toBeInstanceOf(BadPayloadError);
  });
});
