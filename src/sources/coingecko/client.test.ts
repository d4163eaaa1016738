import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Instrument } from '../../core/types.ts';
import { collect, describeConnectorFaults } from '../testing/connector-cases.ts';
import { type Loopback, startLoopback, virtualClock } from '../testing/loopback.ts';
import { COINGECKO_HOURLY_SPAN_MS, CoinGeckoSource } from './client.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

const ETH: Instrument = {
  symbol: 'ETH',
  assetClass: 'crypto',
  name: 'Ether',
  currency: 'USD',
  timezone: 'UTC',
  sources: { coingecko: 'ethereum' },
};
const HOUR = 3_600_000;
const DAY = 86_400_000;
const chart = (ts: readonly number[]) => ({
  prices: ts.map((t, i) => [t, 2000 + i]),
  market_caps: ts.map((t) => [t, 2.4e11]),
  total_volumes: ts.map((t) => [t, 1.5e10]),
});

describeConnectorFaults('coingecko', {
  make: (options) => new CoinGeckoSource(options),
  instrument: ETH,
  interval: '1h',
  range: { from: Date.UTC(2024, 0, 2), to: Date.UTC(2024, 0, 3) },
  now: Date.UTC(2024, 0, 5),
  // Irregular point times, as CoinGecko sends them; bars are their hour buckets.
  sampleTs: [Date.UTC(2024, 0, 2, 1, 4, 12), Date.UTC(2024, 0, 2, 2, 3, 1), Date.UTC(2024, 0, 2, 3, 5, 59)],
  expectedTs: (t) => Math.floor(t / HOUR) * HOUR,
  page: (ts) => chart(ts),
  malformed: {
    body: {
      prices: [
        [1, 2],
        [3, '4'],
      ],
    },
    field: 'prices[1][1]',
  },
  badKey: { status: 401, body: { status: { error_code: 10002, error_message: 'API Key Missing' } } },
});

let server: Loopback | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('coingecko market_chart/range', () => {
  it('refuses an interval CoinGecko does not offer, naming the ones it does, without a request', async () => {
    server = await startLoopback(() => ({ body: chart([]) }));
    const source = new CoinGeckoSource({
      baseUrl: server.baseUrl,
      clock: virtualClock(Date.UTC(2024, 5, 1)),
    });
    const range = { from: Date.UTC(2024, 2, 31), to: Date.UTC(2024, 3, 2) };
    await expect(collect(source.fetchBars(ETH, '1m', range))).rejects.toThrow(
      'interval 1m is not offered (use 1h, 1d)',
    );
    expect(server.requests).toHaveLength(0);
  });

  it('turns the recorded ethereum daily points into daily bars with 24h volume (demo key header)', async () => {
    server = await startLoopback(() => ({ body: fixture('market-chart-range-ethereum.json') }));
    const source = new CoinGeckoSource({
      baseUrl: server.baseUrl,
      apiKey: 'CG-demo',
      clock: virtualClock(Date.UTC(2024, 5, 1)),
    });
    const range = { from: Date.UTC(2024, 2, 31), to: Date.UTC(2024, 3, 2) };
    const bars = (await collect(source.fetchBars(ETH, '1d', range))).flat();
    // Fixture points: 1711843200000 (03-31 00:00) 69702.3087473573; 1711929600000 (04-01 00:00) 71246.9514406015
    // vol 19723005998.215; 1711983682000 (04-01 15:01) 68887.7495158568 vol 30137418199.6431. CoinGecko's daily
    // point at 00:00 of D is the price at the end of D−1: 04-01 00:00 closes 03-31 and opens 04-01.
    expect(bars).toEqual([
      {
        ts: Date.UTC(2024, 2, 31),
        open: 69702.3087473573,
        high: 71246.9514406015,
        low: 69702.3087473573,
        close: 71246.9514406015,
        volume: 19723005998.215,
      },
      {
        ts: Date.UTC(2024, 3, 1),
        open: 71246.9514406015,
        high: 71246.9514406015,
        low: 68887.7495158568,
        close: 68887.7495158568,
        volume: 30137418199.6431,
      },
    ]);
    const req = server.requests[0];
    expect(req?.headers['x-cg-demo-api-key']).toBe('CG-demo');
    expect(req?.url.pathname).toBe('/api/v3/coins/ethereum/market_chart/range');
    expect(Object.fromEntries(req?.url.searchParams ?? [])).toEqual({
      vs_currency: 'usd',
      from: String(range.from / 1000),
      // half an hour past the range, for the point that closes its last bar
      to: String(range.to / 1000 + 1800),
    });
  });

  it('buckets the documented irregular hourly points (OpenAPI example) into hour bars', async () => {
    server = await startLoopback(() => ({ body: fixture('market-chart-range-bitcoin-hourly.json') }));
    const source = new CoinGeckoSource({
      baseUrl: server.baseUrl,
      clock: virtualClock(Date.UTC(2024, 5, 1)),
    });
    const btc: Instrument = { ...ETH, symbol: 'BTC', sources: { coingecko: 'bitcoin' } };
    const bars = (
      await collect(source.fetchBars(btc, '1h', { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 1, 3) }))
    ).flat();
    // Example points 1704067241331 (00:00:41) 42261.04…, 1704070847420 (01:00:47) 42493.27…, 1704074443652 (02:00:43) 42654.07….
    // Each point is the price at (a few seconds past) the hour: it opens that hour and closes the one before.
    expect(bars.map((b) => [b.ts, b.open, b.close, b.volume])).toEqual([
      [Date.UTC(2024, 0, 1, 0), 42261.0406175669, 42493.2764087546, 0],
      [Date.UTC(2024, 0, 1, 1), 42493.2764087546, 42654.0731066594, 0],
      [Date.UTC(2024, 0, 1, 2), 42654.0731066594, 42654.0731066594, 0],
    ]);
  });

  it('splits an hourly range longer than 89 days into chunks that do not overlap', async () => {
    const from = Date.UTC(2023, 0, 1);
    const to = from + 100 * DAY;
    server = await startLoopback((req) => {
      const f = Number(req.url.searchParams.get('from')) * 1000;
      const t = Number(req.url.searchParams.get('to')) * 1000;
      // Points every hour from `from` to `to` inclusive: the shared boundary hour appears in both answers.
      return { body: chart(Array.from({ length: (t - f) / HOUR + 1 }, (_, i) => f + i * HOUR)) };
    });
    const source = new CoinGeckoSource({
      baseUrl: server.baseUrl,
      clock: virtualClock(Date.UTC(2024, 0, 1)),
    });
    const pages = await collect(source.fetchBars(ETH, '1h', { from, to }));
    expect(
      server.requests.map(
        (r) => Number(r.url.searchParams.get('to')) - Number(r.url.searchParams.get('from')),
      ),
    ).toEqual([COINGECKO_HOURLY_SPAN_MS / 1000 + 1800, 11 * 86_400 + 1800]);
    const ts = pages.flat().map((b) => b.ts);
    expect(ts).toHaveLength(100 * 24);
    expect(new Set(ts).size).toBe(ts.length);
  });

  it('uses the pro header and base URL for a pro key', () => {
    const source = new CoinGeckoSource({ apiKey: 'CG-pro', plan: 'pro' });
    expect(source.plan).toBe('pro');
  });
});

describe('coingecko simple/price', () => {
  it('reads the documented SimplePrice example and reports unknown ids per instrument', async () => {
    server = await startLoopback(() => ({ body: fixture('simple-price-bitcoin.json') }));
    const source = new CoinGeckoSource({ baseUrl: server.baseUrl, clock: virtualClock() });
    const btc: Instrument = { ...ETH, symbol: 'BTC', sources: { coingecko: 'bitcoin' } };
    const nope: Instrument = { ...ETH, symbol: 'NOPE', sources: { coingecko: 'no-such-coin' } };
    const latest = await source.fetchLatest([btc, nope]);
    // Example: usd 67187.3358936566, usd_market_cap 1317802988326.25, usd_24h_vol 31260929299.5248, last_updated_at 1711356300.
    expect(latest.items).toEqual([
      {
        symbol: 'BTC',
        ts: 1711356300000,
        price: 67187.3358936566,
        source: 'coingecko',
        volume: 31260929299.5248,
        marketCap: 1317802988326.25,
      },
    ]);
    expect(latest.errors.map((e) => [e.symbol, e.error.name])).toEqual([['NOPE', 'ProviderNotFoundError']]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.url.searchParams.get('ids')).toBe('bitcoin,no-such-coin');
  });

  it('check() reports a healthy source', async () => {
    server = await startLoopback(() => ({ body: fixture('simple-price-bitcoin.json') }));
    const source = new CoinGeckoSource({ baseUrl: server.baseUrl, clock: virtualClock() });
    expect(await source.check()).toMatchObject({
      source: 'coingecko',
      ok: true,
      authenticated: true,
      test_symbol: 'bitcoin',
    });
  });
});
