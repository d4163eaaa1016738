import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRedis } from '../../test/support/redis-server.ts';
import { openPglite } from '../store/pglite.ts';
import type { ChannelMessage } from './keys.ts';
import { cacheKeys } from './keys.ts';
import { MemoryCache } from './memory.ts';
import { PgPubSub } from './pg-pubsub.ts';
import { RedisCache, RedisPubSub } from './redis.ts';

const SHARED_REDIS = 'redis://127.0.0.1:6379';
const prefix = () => `mp_test_${randomBytes(4).toString('hex')}:`;

function waitFor<T>(arr: T[], n: number, ms = 3000): Promise<T[]> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (arr.length >= n) resolve(arr);
      else if (Date.now() - started > ms) reject(new Error(`expected ${n} messages, got ${arr.length}`));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

describe('memory cache', () => {
  it('expires entries after their TTL', async () => {
    let now = 1_000_000;
    const cache = new MemoryCache({ now: () => now });
    await cache.set(cacheKeys.latestPrice('BTC'), { price: 1 }, 60);
    expect(await cache.get(cacheKeys.latestPrice('BTC'))).toEqual({ price: 1 });
    now += 60_000;
    expect(await cache.get(cacheKeys.latestPrice('BTC'))).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, entries: 0 });
  });

  it('drops the least recently used entry beyond its bound', async () => {
    const cache = new MemoryCache({ maxEntries: 2 });
    await cache.set('a', 1, 60);
    await cache.set('b', 2, 60);
    await cache.get('a');
    await cache.set('c', 3, 60);
    expect(await cache.getMany(['a', 'b', 'c'])).toEqual([1, undefined, 3]);
  });

  it('keeps a key read often while many others are written, and still evicts one read too rarely', async () => {
    const cache = new MemoryCache({ maxEntries: 100 });
    await cache.set('hot', 'h', 60);
    await cache.set('rare', 'r', 60);
    for (let i = 0; i < 1000; i++) {
      await cache.set(`k${i}`, i, 60);
      if (i % 10 === 0) expect(await cache.get('hot')).toBe('h');
      // read once every 150 writes: more than the bound between two reads, so it falls off in between
      if (i % 150 === 0 && i > 0) expect(await cache.get('rare')).toBeUndefined();
    }
    expect(cache.stats().entries).toBe(100);
    expect(await cache.getMany(['hot', 'k0', 'k999'])).toEqual(['h', undefined, 999]);
  });
});

describe('redis cache (machine Redis)', () => {
  it('round-trips JSON values with a TTL', async () => {
    const cache = new RedisCache({ url: SHARED_REDIS, keyPrefix: prefix() });
    await cache.set('latest_price:ETH', { price: 3000.5 }, 60);
    expect(await cache.get('latest_price:ETH')).toEqual({ price: 3000.5 });
    expect(await cache.getMany(['latest_price:ETH', 'nope'])).toEqual([{ price: 3000.5 }, undefined]);
    expect(cache.stats()).toMatchObject({ backend: 'redis', hits: 2, misses: 1, degraded: false });
    await cache.close();
  });
});

describe('redis outage (a private redis-server stopped and restarted)', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
  });
  afterAll(async () => redis.down());

  it('answers misses while Redis is down, warns once, and recovers by itself', async () => {
    const warnings: string[] = [];
    const infos: string[] = [];
    const cache = new RedisCache({
      url: redis.url,
      cooldownMs: 200,
      log: { warn: (m: string) => warnings.push(m), info: (m: string) => infos.push(m) } as never,
    });
    await cache.set('k', 42, 60);
    expect(await cache.get('k')).toBe(42);

    await redis.down();
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) expect(await cache.get('k')).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(cache.stats().degraded).toBe(true);
    expect(warnings).toHaveLength(1);

    await redis.up();
    let value: unknown;
    for (let i = 0; i < 50 && value === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await cache.set('k', 43, 60);
      value = await cache.get('k');
    }
    expect(value).toBe(43);
    expect(cache.stats().degraded).toBe(false);
    expect(infos.length).toBeGreaterThanOrEqual(1);
    await cache.close();
  });
});

describe('pub/sub', () => {
  it('delivers JSON messages with type and ts over Redis', async () => {
    const channelPrefix = prefix();
    const a = new RedisPubSub({ url: SHARED_REDIS, channelPrefix });
    const b = new RedisPubSub({ url: SHARED_REDIS, channelPrefix });
    const got: ChannelMessage[] = [];
    const off = await b.subscribe('price_updates', (m) => got.push(m));
    await a.publish('price_updates', { type: 'price', symbol: 'BTC', price: 1 });
    await waitFor(got, 1);
    expect(got[0]).toMatchObject({ type: 'price', symbol: 'BTC', price: 1 });
    expect(got[0]?.ts).toMatch(/Z$/);
    await off();
    await a.close();
    await b.close();
  });

  it('delivers over LISTEN/NOTIFY on the embedded store', async () => {
    const db = await openPglite();
    const ps = new PgPubSub(db);
    const got: ChannelMessage[] = [];
    await ps.subscribe('data_ready', (m) => got.push(m));
    await ps.publish('data_ready', { type: 'ingest', rows: 3 });
    await waitFor(got, 1);
    expect(got[0]).toMatchObject({ type: 'ingest', rows: 3 });
    await ps.close();
    await db.close();
  });
});
