import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFailureCounts } from '../../src/cache/outages.ts';
import { RedisPubSub } from '../../src/cache/redis.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { countPrices } from '../../src/store/repos/prices.ts';
import { createTempDatabase } from '../store/backends.ts';
import { runMain } from '../support/cli.ts';
import { captureLog } from '../support/log.ts';
import { PrivateRedis } from '../support/redis-server.ts';

/**
 * Issue 25 item 3: `ingest latest BTC` stored the price, then exited 1 with a raw ioredis message because
 * publishing `price_updates` failed. The write is what matters; a dropped announcement is counted and logged.
 */
describe('ingest latest during a Redis outage (private redis-server, killed)', () => {
  let redis: PrivateRedis;
  let tmp: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    tmp = await createTempDatabase('outage');
    const db = await openPostgres(tmp.url);
    await migrate(db);
    await upsertInstruments(db, [
      { symbol: 'BTC', assetClass: 'crypto', name: 'Bitcoin', currency: 'USD', timezone: 'UTC' },
    ]);
    await db.close();
    redis = await PrivateRedis.start();
  }, 60_000);
  afterAll(async () => {
    await redis?.down();
    await tmp?.drop();
  });

  it('stores the price, exits 0, counts the dropped messages', async () => {
    await redis.down();
    const before = new Map(publishFailureCounts());
    const argv = [
      '--db',
      tmp.url,
      '--redis',
      redis.url,
      '--json',
      'ingest',
      'latest',
      'BTC',
      '--source',
      'synthetic',
    ];
    const r = await runMain(argv, { LOG_LEVEL: 'warn' });
    expect(r.err).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ requested: 1, stored: 1, failed: 0 });
    const db = await openPostgres(tmp.url);
    try {
      expect(await countPrices(db)).toBe(1);
    } finally {
      await db.close();
    }
    // price_updates then data_ready were both dropped; one warning covers both
    const dropped = (ch: string) => (publishFailureCounts().get(ch) ?? 0) - (before.get(ch) ?? 0);
    expect([dropped('price_updates'), dropped('data_ready')]).toEqual([1, 1]);
  });

  it('RedisPubSub: 40 publishes in an outage never reject, warn once, and recover when Redis is back', async () => {
    const { warns, infos, log } = captureLog();
    const pubsub = new RedisPubSub({ url: redis.url, log, cooldownMs: 200 });
    try {
      await redis.down();
      const before = publishFailureCounts().get('volatility_alerts') ?? 0;
      for (let i = 0; i < 40; i++) await pubsub.publish('volatility_alerts', { type: 'test', i });
      expect(warns).toHaveLength(1); // one warning for the outage, not one per message
      expect((publishFailureCounts().get('volatility_alerts') ?? 0) - before).toBe(40);
      await redis.up();
      const listener = new RedisPubSub({ url: redis.url });
      const got: unknown[] = [];
      await listener.subscribe('volatility_alerts', (m) => got.push(m));
      for (let i = 0; i < 100 && got.length === 0; i++) {
        await pubsub.publish('volatility_alerts', { type: 'test', i: -1 });
        await new Promise((r) => setTimeout(r, 100));
      }
      await listener.close();
      expect(got.length).toBeGreaterThan(0);
      expect(infos).toContain('redis pub/sub is back; publishing again');
    } finally {
      await pubsub.close();
    }
  });
});
