import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../src/cache/redis.ts';
import { PrivateRedis } from '../support/redis-server.ts';
import { type ApiHarness, startApi } from './harness.ts';

/**
 * Redis outage under a running server on PostgreSQL: a private redis-server (test/support/redis-server.ts)
 * is killed mid-test; requests keep answering from the database (one warning for the whole outage), and
 * once it is back the cache is used again without a restart.
 */
describe('Redis outage (private redis-server killed and restarted mid-test)', () => {
  let redisServer: PrivateRedis;
  let cache: RedisCache;
  let h: ApiHarness;
  const warns: string[] = [];
  const infos: string[] = [];

  beforeAll(async () => {
    redisServer = await PrivateRedis.start();
    cache = new RedisCache({
      url: redisServer.url,
      cooldownMs: 300,
      log: { warn: (m: string) => warns.push(m), info: (m: string) => infos.push(m) } as never,
    });
    h = await startApi({ store: 'postgres', cache });
  }, 90_000);

  afterAll(async () => {
    await h?.close();
    await cache?.close();
    await redisServer?.down();
  });

  const watch = async () => {
    const t0 = performance.now();
    const res = await fetch(`${h.server.url}/api/watchlist?symbols=BTC,ETH,AAPL`);
    const body = (await res.json()) as { items: Array<{ symbol: string; price: number; cached: boolean }> };
    return { status: res.status, ms: performance.now() - t0, body };
  };

  it('serves from the database while Redis is down and uses the cache again when it is back', async () => {
    await watch();
    const warm = await watch();
    expect(warm.body.items.map((i) => i.cached)).toEqual([true, true, true]);
    const prices = warm.body.items.map((i) => i.price);

    await redisServer.down();
    for (let i = 0; i < 10; i++) {
      const r = await watch();
      expect(r.status).toBe(200);
      expect(r.body.items.map((x) => x.price)).toEqual(prices);
      expect(r.body.items.every((x) => !x.cached)).toBe(true);
      // the breaker skips Redis between trials: at most one command timeout (250 ms) per request
      expect(r.ms).toBeLessThan(1500);
    }
    const asset = await fetch(`${h.server.url}/api/asset/BTC?range=1D`);
    expect(asset.status).toBe(200);
    const ready = (await (await fetch(`${h.server.url}/ready`)).json()) as {
      status: string;
      cache: { degraded: boolean };
    };
    expect(ready).toMatchObject({ status: 'ready', cache: { degraded: true } });
    expect(warns).toHaveLength(1);
    expect(warns[0]).toContain('serving from the database');
    // the absorbed failures show in /metrics (issue 25: outages are counted, not hidden)
    const metrics = await (await fetch(`${h.server.url}/metrics`)).text();
    const failures = /^marketpipe_cache_failures_total\{backend="redis"\} (\d+)$/m.exec(metrics);
    expect(Number(failures?.[1] ?? 0), metrics.slice(0, 400)).toBeGreaterThan(0);
    expect(metrics).toContain('# TYPE marketpipe_publish_failures_total counter');

    await redisServer.up();
    let cachedAgain = false;
    for (const t0 = Date.now(); !cachedAgain && Date.now() - t0 < 10_000; ) {
      cachedAgain = (await watch()).body.items.every((x) => x.cached);
      if (!cachedAgain) await new Promise((r) => setTimeout(r, 100));
    }
    expect(cachedAgain, 'the cache in use again within 10 s').toBe(true);
    expect(infos.some((m) => m.includes('back'))).toBe(true);
    const stats = (await (await fetch(`${h.server.url}/api/cache/stats`)).json()) as { degraded: boolean };
    expect(stats.degraded).toBe(false);
    expect(warns).toHaveLength(1);
  }, 60_000);
});
