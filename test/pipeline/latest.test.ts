import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelMessage } from '../../src/cache/keys.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { PgPubSub } from '../../src/cache/pg-pubsub.ts';
import type { Instrument } from '../../src/core/types.ts';
import { runLatest } from '../../src/pipeline/latest.ts';
import { listQuarantine } from '../../src/quality/quarantine.ts';
import { CoinGeckoSource } from '../../src/sources/coingecko/client.ts';
import { systemClock } from '../../src/sources/rate-limit.ts';
import { SyntheticSource } from '../../src/sources/synthetic/client.ts';
import { type Loopback, startLoopback, virtualClock } from '../../src/sources/testing/loopback.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { countPrices, readPrices } from '../../src/store/repos/prices.ts';
import { type TestBackend, testBackends } from '../store/backends.ts';

const NOW = Date.UTC(2026, 10, 20, 15, 30);
const list: Instrument[] = [
  { symbol: 'BTC', assetClass: 'crypto', name: 'Bitcoin', currency: 'USD', timezone: 'UTC' },
  {
    symbol: 'USDC',
    assetClass: 'stablecoin',
    name: 'USD Coin',
    currency: 'USD',
    timezone: 'UTC',
    pegTarget: 1,
  },
  { symbol: 'CPIAUCSL', assetClass: 'economic', name: 'CPI', currency: 'USD', timezone: 'UTC' },
];

describe('ingest latest', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await upsertInstruments(db, list);
  });
  afterAll(async () => db.close());

  it('stores each price once, caches it, and publishes price_updates per symbol then data_ready', async () => {
    const synthetic = new SyntheticSource({ clock: { ...systemClock, now: () => NOW } });
    const cache = new MemoryCache();
    const pubsub = new PgPubSub(db);
    const got: ChannelMessage[] = [];
    await pubsub.subscribe('price_updates', (m) => got.push(m));
    await pubsub.subscribe('data_ready', (m) => got.push(m));

    const s = await runLatest(db, { synthetic }, { source: 'synthetic', cache, pubsub, now: NOW });
    // Economic series have no price: they are not asked for.
    expect(s).toMatchObject({ requested: 2, read: 2, stored: 2, quarantined: 0, failed: 0 });
    expect(s.prices.map((p) => [p.symbol, p.ts])).toEqual([
      ['BTC', '2026-11-20T15:30:00.000Z'],
      ['USDC', '2026-11-20T15:30:00.000Z'],
    ]);
    expect(await cache.get('latest_price:BTC')).toEqual(s.prices[0]);
    for (let i = 0; i < 500 && got.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(got.map((m) => [m.type, m.symbol ?? null])).toEqual([
      ['price', 'BTC'],
      ['price', 'USDC'],
      ['latest', null],
    ]);

    const again = await runLatest(db, { synthetic }, { source: 'synthetic', now: NOW });
    expect(again).toMatchObject({ stored: 0, unchanged: 2 });
    expect(await countPrices(db)).toBe(2);
    await pubsub.close();
  });
});

// UST (TerraClassicUSD) daily closes, CoinMarketCap export samples/UST_cmc_daily_2022.csv (`close` at
// `timeClose` 23:59:59 UTC), served one per run as CoinGecko's /simple/price would.
const UST_CLOSES: ReadonlyArray<[day: number, close: number]> = [
  [8, 0.9964005505],
  [9, 0.7933928223],
  [10, 0.7999187904],
  [11, 0.8011371728],
  [12, 0.4085840617],
  [13, 0.1540016054],
  [14, 0.1964422567],
];
const ustAt = (day: number) => Date.UTC(2022, 4, day, 23, 59, 59);

describe.each((await testBackends('latest')).map((b) => [b.name, b] as [string, TestBackend]))(
  'ingest latest on %s: a lasting move beyond the stablecoin bounds',
  (_name, backend) => {
    let db: Db;
    let server: Loopback;
    // what the loopback CoinGecko answers now, per coin id
    const current = new Map<string, { usd: number; last_updated_at: number }>();
    const run = async (now: number) =>
      runLatest(
        db,
        {
          coingecko: new CoinGeckoSource({
            baseUrl: server.baseUrl,
            apiKey: 'CG-demo',
            clock: virtualClock(now),
          }),
        },
        { source: 'coingecko', now },
      );
    const serve = async (id: string, ts: number, usd: number) => {
      current.set(id, { usd, last_updated_at: ts / 1000 });
      return run(ts + 60_000);
    };
    beforeAll(async () => {
      db = await backend.open();
      await upsertInstruments(db, [
        {
          symbol: 'UST',
          assetClass: 'stablecoin',
          name: 'TerraClassicUSD',
          currency: 'USD',
          timezone: 'UTC',
          pegTarget: 1,
          sources: { coingecko: 'terrausd' },
        },
      ]);
      server = await startLoopback((req) => {
        const ids = (req.url.searchParams.get('ids') ?? '').split(',');
        return {
          body: Object.fromEntries(ids.flatMap((id) => (current.has(id) ? [[id, current.get(id)]] : []))),
        };
      });
    });
    afterAll(async () => {
      await server.close();
      await backend.dispose(db);
    });

    it('stores UST 2022-05-08..14 as it happened: the first close below 0.50 is released when the next confirms it', async () => {
      const summaries = [];
      for (const [day, close] of UST_CLOSES) summaries.push(await serve('terrausd', ustAt(day), close));
      // 05-12 (0.4086) is alone below the 0.50 floor when it arrives; 05-13 (0.1540) is below it too.
      expect(summaries.map((s) => [s?.stored, s?.quarantined, s?.released])).toEqual([
        [1, 0, 0],
        [1, 0, 0],
        [1, 0, 0],
        [1, 0, 0],
        [0, 1, 0],
        [1, 0, 1],
        [1, 0, 0],
      ]);
      const stored = await readPrices(db, 'UST', { from: ustAt(8), to: ustAt(14) + 1 });
      expect(stored.map((p) => [new Date(p.ts).getUTCDate(), p.price])).toEqual(UST_CLOSES);
      expect(stored.filter((p) => p.isOutlier).map((p) => p.price)).toEqual([
        0.4085840617, 0.1540016054, 0.1964422567,
      ]);
      const q = await listQuarantine(db, { symbol: 'UST', includeReleased: true });
      expect(q).toHaveLength(1);
      expect(q[0]?.released_at).not.toBeNull();
      expect(q[0]?.reason).toContain(
        'released: corroborated by coingecko price 0.1540016054 at 2022-05-13T23:59:59.000Z',
      );
    });

    it('keeps a lone 5.00 print between two 1.00 prints in quarantine', async () => {
      // The issue's [1.00, 5.00, 1.00] at hourly spacing (2026-03-02, a quiet day with no stored UST).
      const h = (i: number) => Date.UTC(2026, 2, 2, i);
      const s = [];
      for (const [i, p] of [
        [0, 1.0],
        [1, 5.0],
        [2, 1.0],
      ] as const)
        s.push(await serve('terrausd', h(i), p));
      expect(s.map((x) => [x?.stored, x?.quarantined, x?.released])).toEqual([
        [1, 0, 0],
        [0, 1, 0],
        [1, 0, 0],
      ]);
      const pending = await listQuarantine(db, { symbol: 'UST' });
      expect(pending.map((e) => [e.rule, (e.raw as { price: number }).price])).toEqual([['price_bounds', 5]]);
      const stored = await readPrices(db, 'UST', { from: h(0), to: h(3) });
      expect(stored.map((p) => p.price)).toEqual([1, 1]);
    });
  },
);
