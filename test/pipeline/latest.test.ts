import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelMessage } from '../../src/cache/keys.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { PgPubSub } from '../../src/cache/pg-pubsub.ts';
import type { Instrument } from '../../src/core/types.ts';
import { runLatest } from '../../src/pipeline/latest.ts';
import { systemClock } from '../../src/sources/rate-limit.ts';
import { SyntheticSource } from '../../src/sources/synthetic/client.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { countPrices } from '../../src/store/repos/prices.ts';

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
