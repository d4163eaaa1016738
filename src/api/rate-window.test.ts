import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLog } from '../../test/support/log.ts';
import { freePort } from '../../test/support/redis-server.ts';
import { apiRateKey, LocalWindowCounter, retryAfterSeconds, SharedWindowCounter } from './rate-window.ts';

/** The machine's shared Redis; each test uses its own key prefix. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = (): string => `mp_test_apirate_${randomBytes(4).toString('hex')}:`;

describe('LocalWindowCounter (fixed windows opened by an id’s first request)', () => {
  it('counts per id, reports the time left, and starts again once the window has ended', async () => {
    let t = 1_000_000;
    const windows = new LocalWindowCounter(() => t);
    expect(await windows.hit('key:a', 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
    t += 10_000;
    expect(await windows.hit('key:a', 60_000)).toEqual({ count: 2, resetInMs: 50_000 });
    expect(await windows.hit('key:b', 60_000), 'another id has its own window').toEqual({
      count: 1,
      resetInMs: 60_000,
    });
    t += 49_999;
    expect(await windows.hit('key:a', 60_000)).toEqual({ count: 3, resetInMs: 1 });
    t += 1; // exactly one window after key:a's first request
    expect(await windows.hit('key:a', 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
  });

  it('rounds Retry-After up to whole seconds, at least 1', () => {
    expect([0, 1, 999, 1000, 1001, 60_000].map(retryAfterSeconds)).toEqual([1, 1, 1, 1, 2, 60]);
  });
});

describe('SharedWindowCounter on the machine Redis', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(() => redis.disconnect());

  it('two counters (two connections, as two processes) count one window: each number handed out once', async () => {
    const keyPrefix = prefix();
    const a = new SharedWindowCounter({ url: REDIS_URL, keyPrefix });
    const b = new SharedWindowCounter({ url: REDIS_URL, keyPrefix });
    try {
      const hits = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? a : b).hit('key:abc', 60_000)),
      );
      // INCR is atomic: twelve concurrent requests get the counts 1..12, no duplicate and none lost.
      expect(hits.map((h) => h.count).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 12 }, (_, i) => i + 1),
      );
      for (const h of hits) expect(h.resetInMs).toBeGreaterThan(0);
      for (const h of hits) expect(h.resetInMs).toBeLessThanOrEqual(60_000);
      const key = apiRateKey('key:abc', keyPrefix);
      expect(key).toBe(`${keyPrefix}api_rate:key:abc`);
      expect(await redis.get(key)).toBe('12');
      const ttl = await redis.pttl(key);
      expect(ttl, 'the window key expires with its window').toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
      expect(a.degraded || b.degraded).toBe(false);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('opens a new window once the key has expired, and restores an expiry a key has lost', async () => {
    const keyPrefix = prefix();
    const windows = new SharedWindowCounter({ url: REDIS_URL, keyPrefix });
    const key = apiRateKey('user:bob', keyPrefix);
    try {
      expect((await windows.hit('user:bob', 60_000)).count).toBe(1);
      expect((await windows.hit('user:bob', 60_000)).count).toBe(2);
      await redis.del(key); // what the expiry does at the end of the window
      expect((await windows.hit('user:bob', 60_000)).count).toBe(1);
      await redis.persist(key);
      const hit = await windows.hit('user:bob', 60_000);
      expect(hit).toEqual({ count: 2, resetInMs: 60_000 });
      expect(await redis.pttl(key)).toBeGreaterThan(0);
    } finally {
      await windows.close();
    }
  });
});

describe('SharedWindowCounter while Redis cannot answer', () => {
  it('counts locally when nothing listens (one warning naming the error)', async () => {
    const { warns, log } = captureLog();
    const windows = new SharedWindowCounter({ url: `redis://127.0.0.1:${await freePort()}`, log });
    try {
      const counts = [];
      for (let i = 0; i < 4; i++) counts.push((await windows.hit('key:x', 60_000)).count);
      expect(counts).toEqual([1, 2, 3, 4]);
      expect(windows.degraded).toBe(true);
      expect(warns).toHaveLength(1);
      expect(warns[0]).toMatch(/redis unavailable for shared API rate limits .*ECONNREFUSED/);
    } finally {
      await windows.close();
    }
  });

  it('counts locally when Redis accepts connections but never answers (command timeout)', async () => {
    // A TCP listener that swallows everything: what a hung Redis looks like from outside.
    const sockets = new Set<Socket>();
    const hung: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const address = hung.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const { warns, log } = captureLog();
    const windows = new SharedWindowCounter({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 200, log });
    try {
      const counts = [];
      for (let i = 0; i < 3; i++) counts.push((await windows.hit('key:y', 60_000)).count);
      expect(counts).toEqual([1, 2, 3]);
      expect(warns).toHaveLength(1);
    } finally {
      await windows.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
    }
  });
});
