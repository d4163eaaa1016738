import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staleKeys } from '../../src/api/cache-invalidation.ts';
import { PgPubSub } from '../../src/cache/pg-pubsub.ts';
import { startOfUtcDay } from '../../src/core/time.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { type ApiHarness, startApi } from './harness.ts';

/** `data_ready` drops the route caches it makes stale, so the next read shows the new bars (not after the TTL). */
describe('route caches follow data_ready', () => {
  let h: ApiHarness;
  let pubsub: PgPubSub | undefined;
  beforeAll(async () => {
    h = await startApi({ store: 'pglite', pubsub: (db) => (pubsub = new PgPubSub(db)) });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await pubsub?.close();
  });

  const get = async (url: string) => (await h.app.inject({ url })).json();

  it('names the overview always and each symbol’s instrument, hourly and range keys', () => {
    expect(staleKeys({ type: 'analytics', ts: '' })).toEqual(['market_overview']);
    const keys = staleKeys({ type: 'ingest', ts: '', symbols: ['ETH', 'ETH', 42] });
    expect(keys).toContain('market_overview');
    expect(keys).toContain('instrument:ETH');
    expect(keys).toContain('hourly_data:ETH:1D');
    expect(keys).toContain('bars:ETH:1d:1M');
    expect(keys).toContain('bars:ETH:1d:1Y:adjusted');
    expect(keys).toContain('synthetic:ETH');
    // 10 named ranges × 4 adjustment modes + instrument + synthetic flag + hourly, for ETH once, + the overview
    expect(keys).toHaveLength(44);
  });

  it('after a data_ready publish the next read of /api/asset and /api/market reflects new bars', async () => {
    const first = await get('/api/asset/ETH?range=1M');
    const again = await get('/api/asset/ETH?range=1M');
    expect([first.cached, again.cached]).toEqual([false, true]);
    const overview = await get('/api/market');
    const ethOf = (o: {
      asset_classes: Array<{ instruments: Array<{ symbol: string; price: number | null }> }>;
    }) => o.asset_classes.flatMap((c) => c.instruments).find((i) => i.symbol === 'ETH');
    expect(ethOf(overview)?.price).not.toBe(12_345);

    // Today's daily bar revised, as an ingest run would store it (the fixture's newest bar is today's).
    const ts = Date.parse((first.bars.at(-1) as { ts: string }).ts);
    expect(ts).toBe(startOfUtcDay(Date.now()));
    await upsertBars(h.db, [
      {
        symbol: 'ETH',
        interval: '1d',
        ts,
        open: 12_000,
        high: 12_400,
        low: 11_900,
        close: 12_345,
        volume: 1,
        source: 'test',
      },
    ]);
    // Still the cached answer until data_ready arrives.
    expect((await get('/api/asset/ETH?range=1M')).cached).toBe(true);

    await pubsub?.publish('data_ready', { type: 'ingest', mode: 'daily', symbols: ['ETH'] });
    const cache = h.deps.cache;
    await expect.poll(() => cache.get('bars:ETH:1d:1M'), { timeout: 5000 }).toBeUndefined();
    await expect.poll(() => cache.get('market_overview'), { timeout: 5000 }).toBeUndefined();

    const after = await get('/api/asset/ETH?range=1M');
    expect(after.cached).toBe(false);
    expect(after.bars.at(-1)).toMatchObject({ ts: new Date(ts).toISOString(), close: 12_345 });
    expect(ethOf(await get('/api/market'))?.price).toBe(12_345);
  });
});
