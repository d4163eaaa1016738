import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createToken } from '../../src/api/auth.ts';
import { SharedWindowCounter, type WindowCounter } from '../../src/api/rate-window.ts';
import { type RunningServer, startServer } from '../../src/api/server.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { ConfigStore } from '../../src/config/store.ts';
import { seededRandom } from '../../src/sources/testing/loopback.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { captureLog } from '../support/log.ts';
import { PrivateRedis } from '../support/redis-server.ts';
import { REDIS_URL, testPrefix } from './harness.ts';

/**
 * Two apps (buildApp + startServer on loopback, each with its own Redis connection, as two `serve`
 * processes behind a load balancer) answer the per-key and per-admin-user budgets together when they share
 * a `SharedWindowCounter`, and each alone without one (embedded mode) or while Redis is down.
 */

const SECRET = 'test-secret-0123456789abcdef-0123456789';
/** One key per scenario, so each starts with a fresh window. */
const KEYS = Array.from({ length: 10 }, (_, i) => `k-${i}`);
/** The budget under test, per key (data routes) and per user (admin routes), per one-minute window. */
const BUDGET = 5;

interface RunningApp {
  url: string;
  close(): Promise<void>;
}

let db: Db;
beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
});
afterAll(async () => db?.close());

async function startApp(rateWindows: WindowCounter | undefined): Promise<RunningApp> {
  const config = await ConfigStore.open({ db, live: false });
  const app = buildApp({
    cache: new MemoryCache(),
    db,
    settings: { jwtSecret: SECRET, corsOrigins: [], apiKeys: KEYS },
    config,
    apiKeyRateLimit: BUDGET,
    adminRateLimit: BUDGET,
    rateWindows,
  });
  const server: RunningServer = await startServer(app, { port: 0 });
  return {
    url: server.url,
    close: async () => {
      await server.close();
      await config.close();
    },
  };
}

/** A data request (`/api/cache/stats` reads no table, so only the gate is measured) with `key`. */
const data = (app: RunningApp, key: string) =>
  fetch(`${app.url}/api/cache/stats`, { headers: { 'x-api-key': key } });
/** An admin read with a bearer token. */
const admin = (app: RunningApp, token: string) =>
  fetch(`${app.url}/admin/config/stats`, { headers: { authorization: `Bearer ${token}` } });

const token = (user: string) => createToken({ secret: SECRET, user, role: 'viewer', ttlSeconds: 600 });

/** A 429 as the API promises it: Retry-After in whole seconds within the minute, and `{error, message}`. */
async function expectLimited(res: Response, what: string): Promise<void> {
  expect(res.status, `${what}: expected 429`).toBe(429);
  const retry = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retry) && retry >= 1 && retry <= 60, `${what}: Retry-After ${retry}`).toBe(true);
  const body = (await res.json()) as { error: string; message: string };
  expect(body.error).toBe('rate_limited');
  expect(body.message.length).toBeGreaterThan(0);
}

/** Sends requests 1..n to the apps in `order` (app indexes); resolves to the statuses. */
async function statuses(order: number[], send: (i: number) => Promise<Response>): Promise<number[]> {
  const out: number[] = [];
  for (const i of order) {
    const res = await send(i);
    out.push(res.status);
    if (res.status !== 429) await res.body?.cancel();
  }
  return out;
}

/** Which app gets each of six requests: fixed patterns that mix both apps, then seeded random ones. */
const INTERLEAVINGS: Array<{ name: string; order: number[] }> = [
  { name: 'alternating', order: [0, 1, 0, 1, 0, 1] },
  { name: 'four on A, one on B, the 6th on A', order: [0, 0, 0, 0, 1, 0] },
  { name: 'one on A, the rest on B', order: [0, 1, 1, 1, 1, 1] },
  ...[7, 11, 42].map((seed) => {
    const random = seededRandom(seed);
    return { name: `seed ${seed}`, order: Array.from({ length: 6 }, () => (random() < 0.5 ? 0 : 1)) };
  }),
];

describe('two apps sharing the machine Redis answer one budget per key and per user', () => {
  const keyPrefix = testPrefix('apirate');
  const counters: SharedWindowCounter[] = [];
  const apps: RunningApp[] = [];
  let redis: Redis;

  beforeAll(async () => {
    counters.push(
      new SharedWindowCounter({ url: REDIS_URL, keyPrefix }),
      new SharedWindowCounter({ url: REDIS_URL, keyPrefix }),
    );
    for (const c of counters) apps.push(await startApp(c));
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    for (const c of counters) await c.close();
    redis?.disconnect();
  });
  const app = (i: number): RunningApp => {
    const a = apps[i];
    if (!a) throw new Error(`no app ${i}`);
    return a;
  };

  INTERLEAVINGS.forEach(({ name, order }, n) => {
    it(`API key, ${name}: requests 1–${BUDGET} succeed, the 6th gets 429`, async () => {
      const key = KEYS[n] ?? '';
      const got = await statuses(order.slice(0, BUDGET), (i) => data(app(i), key));
      expect(got, `order ${order.join('')}`).toEqual([200, 200, 200, 200, 200]);
      const last = order[BUDGET] ?? 0;
      await expectLimited(await data(app(last), key), `6th request, on app ${last}`);
      await expectLimited(await data(app(1 - last), key), 'the other app, same key');
    });
  });

  it('counts concurrent requests once each: 12 at once across both apps, exactly 5 succeed', async () => {
    const key = KEYS[8] ?? '';
    const all = await Promise.all(Array.from({ length: 12 }, (_, i) => data(app(i % 2), key)));
    const codes = all.map((r) => r.status).sort();
    for (const r of all) await r.body?.cancel();
    expect(codes).toEqual([...Array(5).fill(200), ...Array(7).fill(429)]);
  });

  it('keeps other keys apart, and never writes a raw key to Redis', async () => {
    expect((await data(app(0), KEYS[9] ?? '')).status).toBe(200);
    const stored = await redis.keys(`${keyPrefix}*`);
    expect(stored.length).toBeGreaterThan(0);
    for (const k of stored) {
      expect(k).toMatch(new RegExp(`^${keyPrefix}api_rate:(key:[0-9a-f]{16}|user:.+)$`));
      expect(k).not.toMatch(/k-\d/);
    }
    const ttl = await redis.pttl(stored[0] ?? '');
    expect(ttl, 'window keys expire with their minute').toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it(`admin user: ${BUDGET} requests across both apps succeed, the 6th gets 429; another user is unaffected`, async () => {
    const alice = await token('alice');
    const got = await statuses([1, 0, 0, 1, 0], (i) => admin(app(i), alice));
    expect(got).toEqual([200, 200, 200, 200, 200]);
    await expectLimited(await admin(app(1), alice), '6th admin request');
    await expectLimited(await admin(app(0), alice), '7th admin request, on the other app');
    expect(await redis.get(`${keyPrefix}api_rate:user:alice`)).toBe('7');
    const bob = await admin(app(0), await token('bob'));
    expect(bob.status).toBe(200);
  });
});

describe('without Redis (embedded mode) each app keeps its own budget', () => {
  const apps: RunningApp[] = [];
  beforeAll(async () => {
    apps.push(await startApp(undefined), await startApp(undefined));
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it(`grants ${BUDGET} per key and ${BUDGET} per user on each app, then 429 on each`, async () => {
    const alice = await token('alice');
    for (const a of apps) {
      expect(await statuses([0, 0, 0, 0, 0], () => data(a, 'k-0'))).toEqual([200, 200, 200, 200, 200]);
      expect(await statuses([0, 0, 0, 0, 0], () => admin(a, alice))).toEqual([200, 200, 200, 200, 200]);
    }
    for (const a of apps) {
      await expectLimited(await data(a, 'k-0'), 'key over its budget on this app');
      await expectLimited(await admin(a, alice), 'user over the budget on this app');
    }
  });
});

describe('Redis down (private redis-server killed and restarted): requests answered under the local budget', () => {
  let server: PrivateRedis;
  const logs = [captureLog(), captureLog()];
  const counters: SharedWindowCounter[] = [];
  const apps: RunningApp[] = [];

  beforeAll(async () => {
    server = await PrivateRedis.start();
    for (const { log } of logs)
      counters.push(new SharedWindowCounter({ url: server.url, cooldownMs: 300, log }));
    for (const c of counters) apps.push(await startApp(c));
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    for (const c of counters) await c.close();
    await server?.down();
  });
  const app = (i: number): RunningApp => {
    const a = apps[i];
    if (!a) throw new Error(`no app ${i}`);
    return a;
  };

  it('falls back to each app’s own window, warns once per process, and shares again when Redis is back', async () => {
    expect(await statuses([0, 1, 0], (i) => data(app(i), 'k-0'))).toEqual([200, 200, 200]);
    expect(counters.map((c) => c.degraded)).toEqual([false, false]);

    await server.down();
    const alice = await token('alice');
    for (const i of [0, 1]) {
      const got = await statuses([i, i, i, i, i], () => data(app(i), 'k-1'));
      expect(got, `app ${i} during the outage`).toEqual([200, 200, 200, 200, 200]);
      await expectLimited(await data(app(i), 'k-1'), `app ${i}: 6th request, local window`);
      const adminCodes = await statuses([i, i, i, i, i], () => admin(app(i), alice));
      expect(adminCodes, `app ${i} admin during the outage`).toEqual([200, 200, 200, 200, 200]);
      await expectLimited(await admin(app(i), alice), `app ${i}: 6th admin request, local window`);
    }
    expect(counters.map((c) => c.degraded)).toEqual([true, true]);
    for (const { warns } of logs) {
      expect(warns, 'one warning per process for the whole outage').toHaveLength(1);
      expect(warns[0]).toMatch(/redis unavailable for shared API rate limits/);
    }

    await server.up();
    // Each request past the 300 ms cool-down tries Redis again (a key of its own, whatever it answers).
    const deadline = Date.now() + 15_000;
    while (counters.some((c) => c.degraded)) {
      if (Date.now() > deadline) throw new Error('expected both apps to use Redis again within 15 s');
      for (const i of [0, 1]) await (await data(app(i), 'k-2')).body?.cancel();
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const { infos } of logs) {
      expect(infos).toEqual(['redis is back: API rate limits are shared across processes again']);
    }
    expect(await statuses([1, 0, 1, 0, 1], (i) => data(app(i), 'k-3'))).toEqual([200, 200, 200, 200, 200]);
    await expectLimited(await data(app(0), 'k-3'), 'shared again: 6th request across both apps');
  });
});
