import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../src/cache/redis.ts';
import { type ApiHarness, REDIS_URL, startApi, testPrefix } from './harness.ts';

/** The same routes on PostgreSQL 15 with the machine's Redis as cache (own key prefix, removed after). */
describe('REST routes on PostgreSQL + Redis (real listening server)', () => {
  const prefix = testPrefix('api');
  let h: ApiHarness;
  let cache: RedisCache;
  let redis: Redis;

  beforeAll(async () => {
    cache = new RedisCache({ url: REDIS_URL, keyPrefix: prefix });
    redis = new Redis(REDIS_URL);
    h = await startApi({ store: 'postgres', cache });
  }, 90_000);

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await h?.close();
    await cache?.close();
  });

  const get = async (path: string) => {
    const res = await fetch(`${h.server.url}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('watchlist: store first, then Redis (latest_price:{symbol} with a 60 s TTL)', async () => {
    const cold = await get('/api/watchlist?symbols=BTC,ETH');
    expect((cold.body.items as Array<{ cached: boolean }>).map((i) => i.cached)).toEqual([false, false]);
    expect(JSON.parse((await redis.get(`${prefix}latest_price:BTC`)) ?? 'null')).toMatchObject({
      symbol: 'BTC',
      price: 65_000,
    });
    const ttl = await redis.ttl(`${prefix}latest_price:BTC`);
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
    const warm = await get('/api/watchlist?symbols=BTC,ETH');
    expect((warm.body.items as Array<{ cached: boolean }>).map((i) => i.cached)).toEqual([true, true]);
  });

  it('asset 1D goes through hourly_data:{symbol}:1D (120 s); 1Y through the store', async () => {
    const first = await get('/api/asset/ETH?range=1D');
    expect(first.body).toMatchObject({ interval: '1h', cached: false });
    expect(await redis.ttl(`${prefix}hourly_data:ETH:1D`)).toBeGreaterThan(100);
    const again = await get('/api/asset/ETH?range=1D');
    expect([again.body.cached, again.body.bars]).toEqual([true, first.body.bars]);
    const year = await get('/api/asset/ETH?range=1Y');
    expect((year.body.bars as unknown[]).length).toBeGreaterThan(360);
  });

  it('answers the other read routes with fixture data', async () => {
    for (const path of [
      '/api/market',
      '/api/monitor/coverage',
      '/api/monitor/stats/derived',
      '/api/correlations?window=90',
      '/api/best-pairs',
      '/api/volatility/AAPL',
      '/api/depegs/stats',
      '/api/risk/stress',
      '/quote/USDC/250000',
      '/api/quality/report',
      '/api/quarantine',
      '/ready',
    ]) {
      expect((await get(path)).status, path).toBe(200);
    }
    const stats = await get('/api/cache/stats');
    expect(stats.body).toMatchObject({ backend: 'redis', degraded: false });
    expect(stats.body.hits as number).toBeGreaterThan(0);
  });
});
