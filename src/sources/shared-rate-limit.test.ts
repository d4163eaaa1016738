import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLog } from '../../test/support/log.ts';
import { freePort, PrivateRedis } from '../../test/support/redis-server.ts';
import { HttpClient } from './http.ts';
import { type RateLimit, TokenBucket } from './rate-limit.ts';
import { rateLimiterFor, rateLimitKey, SharedRateLimits, SharedTokenBucket } from './shared-rate-limit.ts';
import { type Loopback, seededRandom, startLoopback } from './testing/loopback.ts';
import { bucketBound, maxInWindow } from './testing/windows.ts';

/** The machine's shared Redis; every test uses its own key prefix so parallel runs never share a bucket. */
const REDIS_URL = process.env.MARKETPIPE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const prefix = (): string => `mp_test_rl_${randomBytes(4).toString('hex')}:`;

/** A logger that keeps its lines. */
/** A provider stand-in that records when each request arrives (its own clock: the provider's view). */
async function recordingServer(): Promise<Loopback & { arrivals: Array<{ at: number; client: string }> }> {
  const arrivals: Array<{ at: number; client: string }> = [];
  const server = await startLoopback((req) => {
    arrivals.push({ at: Date.now(), client: String(req.headers['x-client'] ?? '') });
    return { body: { ok: true } };
  });
  return Object.assign(server, { arrivals });
}

function client(limiter: SharedRateLimits | undefined, limit: RateLimit): HttpClient {
  return new HttpClient({
    provider: 'fake',
    limits: { rateLimit: limit, concurrency: 4 },
    rateLimiter: limiter?.factory(),
    random: seededRandom(7),
  });
}

async function send(http: HttpClient, url: string, n: number, tag = ''): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, () => http.getText(`${url}/ping`, { headers: { 'x-client': tag } })),
  );
}

async function pollUntil(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the take script (one atomic refill-and-take in Redis)', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(() => redis.disconnect());

  it('grants a fresh bucket its burst, then answers the wait for the next token', async () => {
    const shared = new SharedRateLimits({ url: REDIS_URL, keyPrefix: prefix() });
    // 1 request per minute, burst 3: whatever the machine's load, no token refills during the test.
    const limit = { requests: 1, intervalMs: 60_000, burst: 3 };
    const key = rateLimitKey('fake', shared.keyPrefix);
    try {
      const answers = [];
      for (let i = 0; i < 4; i += 1) answers.push(await shared.tryTake(key, limit));
      expect(answers.slice(0, 3).map((a) => a?.waitMs)).toEqual([0, 0, 0]);
      // Empty bucket: the next token is due one refill interval (60 s) after the first take, minus time spent.
      const wait = answers[3]?.waitMs ?? 0;
      expect(wait, 'wait for the 4th token (ms)').toBeGreaterThan(50_000);
      expect(wait).toBeLessThanOrEqual(60_000);
      // The key expires once the bucket would be full again: 3 tokens × 60 s + 1 s margin, at most.
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(170_000);
      expect(ttl).toBeLessThanOrEqual(181_000);
    } finally {
      await shared.close();
      await redis.del(key);
    }
  });

  it('keeps the bucket under the deployment prefix, marketpipe:rate_limit:<provider> by default', () => {
    expect(rateLimitKey('coingecko')).toBe('marketpipe:rate_limit:coingecko');
    const bucket = new SharedRateLimits({ url: REDIS_URL }).bucket('polygon', {
      requests: 5,
      intervalMs: 60_000,
    });
    expect(bucket.key).toBe('marketpipe:rate_limit:polygon');
    // burst defaults to a full window's worth, as TokenBucket's does.
    expect(bucket.limit.burst).toBe(5);
  });

  it('stops waiting when the signal aborts', async () => {
    const shared = new SharedRateLimits({ url: REDIS_URL, keyPrefix: prefix() });
    const bucket = shared.bucket('fake', { requests: 1, intervalMs: 60_000, burst: 1 });
    try {
      await bucket.take();
      const ac = new AbortController();
      const waiting = bucket.take(ac.signal);
      setTimeout(() => ac.abort(new Error('caller gave up')), 50);
      await expect(waiting).rejects.toThrow('caller gave up');
      expect(bucket.available(), 'tokens after one take from a burst of 1').toBeLessThan(1);
    } finally {
      await shared.close();
      await redis.del(bucket.key);
    }
  });
});

describe('two processes sharing one budget', () => {
  it('never let more through in any 2 s window than one bucket would', async () => {
    const keyPrefix = prefix();
    // Two limiters with their own connections, as two worker processes have.
    const a = new SharedRateLimits({ url: REDIS_URL, keyPrefix });
    const b = new SharedRateLimits({ url: REDIS_URL, keyPrefix });
    const limit = { requests: 10, intervalMs: 1000, burst: 5 };
    const server = await recordingServer();
    try {
      await Promise.all([
        send(client(a, limit), server.baseUrl, 25, 'a'),
        send(client(b, limit), server.baseUrl, 25, 'b'),
      ]);
      const times = server.arrivals.map((r) => r.at);
      expect(times).toHaveLength(50);
      // One bucket allows burst + rate × window = 5 + 10 × 2 = 25 per 2 s; a request may reach the server
      // up to 2 s after its grant on a loaded CI machine, allowing 20 more: 45. Two separate buckets let all
      // 50 through in the first 2 s. The span below is the sharper check (stalls only lengthen it).
      const bound = bucketBound(limit, 2000, 2000);
      expect(bound).toBe(45);
      expect(maxInWindow(times, 2000), `requests in any 2 s window (at most ${bound})`).toBeLessThanOrEqual(
        bound,
      );
      // 50 requests from one budget take at least (50 − 5 burst) / 10 per s = 4.5 s; allow 1 s of lag.
      const span = Math.max(...times) - Math.min(...times);
      expect(span, 'ms from first to last request').toBeGreaterThanOrEqual(3500);
    } finally {
      await server.close();
      await a.close();
      await b.close();
    }
  });

  it('is the check: two in-process buckets alone let about twice as many through', async () => {
    // The same load without Redis, so the bound above is one the shared bucket has to earn.
    const limit = { requests: 10, intervalMs: 1000, burst: 5 };
    const server = await recordingServer();
    try {
      await Promise.all([
        send(client(undefined, limit), server.baseUrl, 25),
        send(client(undefined, limit), server.baseUrl, 25),
      ]);
      expect(
        maxInWindow(
          server.arrivals.map((r) => r.at),
          2000,
        ),
      ).toBeGreaterThan(bucketBound(limit, 2000, 0));
    } finally {
      await server.close();
    }
  });
});

describe('a Redis outage never stops requests', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
  });
  afterAll(async () => {
    await redis.down();
  });

  it('falls back to the local bucket, warns once, and shares again when Redis is back', async () => {
    const keyPrefix = prefix();
    const { warns, infos, log } = captureLog();
    const shared = new SharedRateLimits({ url: redis.url, keyPrefix, cooldownMs: 300, log });
    const limit = { requests: 20, intervalMs: 1000, burst: 5 };
    const http = client(shared, limit);
    const key = rateLimitKey('fake', keyPrefix);
    const server = await recordingServer();
    const peek = new Redis(redis.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    peek.on('error', () => undefined);
    try {
      await send(http, server.baseUrl, 3);
      await peek.connect();
      expect(await peek.exists(key), 'bucket key in Redis while it is up').toBe(1);
      peek.disconnect();

      await redis.down();
      await send(http, server.baseUrl, 10);
      expect(server.arrivals).toHaveLength(13);
      expect(shared.degraded).toBe(true);
      expect(warns).toHaveLength(1);
      expect(warns[0]).toMatch(/redis unavailable for shared rate limits/);

      await redis.up();
      // Each request past the 300 ms cool-down tries Redis again; it is shared once the script answers.
      await pollUntil('the shared bucket is used again', async () => {
        await send(http, server.baseUrl, 1);
        return !shared.degraded;
      });
      const again = new Redis(redis.url, { maxRetriesPerRequest: 0 });
      try {
        expect(await again.exists(key), 'bucket key in the restarted Redis').toBe(1);
      } finally {
        again.disconnect();
      }
      expect(infos).toEqual(['redis is back: provider rate limits are shared across processes again']);
      expect(warns, 'one warning for the whole outage').toHaveLength(1);
    } finally {
      peek.disconnect();
      await server.close();
      await shared.close();
    }
  });

  it('sends requests when Redis is unreachable from the start', async () => {
    const { warns, log } = captureLog();
    const shared = new SharedRateLimits({ url: `redis://127.0.0.1:${await freePort()}`, log });
    const server = await recordingServer();
    try {
      await send(client(shared, { requests: 20, intervalMs: 1000, burst: 5 }), server.baseUrl, 8);
      expect(server.arrivals).toHaveLength(8);
      expect(warns).toHaveLength(1);
      expect(warns[0]).toMatch(/ECONNREFUSED/);
    } finally {
      await server.close();
      await shared.close();
    }
  });

  it('sends requests when Redis accepts connections but never answers (command timeout)', async () => {
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
    const shared = new SharedRateLimits({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 200, log });
    const server = await recordingServer();
    try {
      await send(client(shared, { requests: 20, intervalMs: 1000, burst: 5 }), server.baseUrl, 8);
      expect(server.arrivals).toHaveLength(8);
      expect(warns).toHaveLength(1);
    } finally {
      await server.close();
      await shared.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
    }
  });
});

describe('rateLimiterFor (what the pipeline and jobs use)', () => {
  it('shares budgets through Redis when REDIS_URL is set and keeps in-process buckets when not', () => {
    const limit = { requests: 30, intervalMs: 60_000, burst: 5 };
    const scaled = rateLimiterFor({ redisUrl: REDIS_URL, logLevel: 'silent' });
    expect(scaled?.('coingecko', limit, { now: Date.now, sleep: async () => undefined })).toBeInstanceOf(
      SharedTokenBucket,
    );
    expect(rateLimiterFor({ logLevel: 'silent' })).toBeUndefined();
    expect(client(undefined, limit).bucket).toBeInstanceOf(TokenBucket);
  });
});
