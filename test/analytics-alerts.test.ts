import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalyticsAndPublish } from '../src/analytics/alerts-service.ts';
import type { ChannelMessage } from '../src/cache/keys.ts';
import { MemoryCache } from '../src/cache/memory.ts';
import { PgPubSub } from '../src/cache/pg-pubsub.ts';
import { ConfigStore } from '../src/config/store.ts';
import type { StoredBar } from '../src/core/types.ts';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';
import { upsertBars } from '../src/store/repos/bars.ts';
import { upsertInstruments } from '../src/store/repos/instruments.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

/** Two crypto series moving together (ρ ≈ 1) and one independent; a seeded LCG keeps them fixed. */
function series(): StoredBar[] {
  let s = 42;
  const rnd = () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648 - 0.5;
  };
  const rows: StoredBar[] = [];
  let a = 100;
  let c = 50;
  for (let d = 0; d < 120; d++) {
    a *= Math.exp(0.2 * rnd());
    c *= Math.exp(0.01 * rnd());
    const b = a * 2 * (1 + 0.0005 * rnd());
    for (const [symbol, close] of [
      ['AAA', a],
      ['BBB', b],
      ['CCC', c],
    ] as const) {
      rows.push({
        symbol,
        interval: '1d',
        ts: T0 + d * DAY,
        open: close,
        high: close * 1.01,
        low: close * 0.99,
        close,
        volume: 1,
        source: 'test',
      });
    }
  }
  return rows;
}

describe('analytics alerts', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await upsertInstruments(
      db,
      ['AAA', 'BBB', 'CCC'].map((symbol) => ({
        symbol,
        assetClass: 'crypto' as const,
        name: symbol,
        currency: 'USD',
        timezone: 'UTC',
      })),
    );
    await upsertBars(db, series());
  });
  afterAll(async () => db.close());

  it('publishes volatility alerts above the configured HV, contagion crossings, and drops cached results', async () => {
    const asOf = T0 + 120 * DAY;
    const pubsub = new PgPubSub(db);
    const got: Record<string, ChannelMessage[]> = {
      volatility_alerts: [],
      correlation_alerts: [],
      data_ready: [],
    };
    for (const ch of ['volatility_alerts', 'correlation_alerts', 'data_ready'] as const) {
      await pubsub.subscribe(ch, (m) => got[ch]?.push(m));
    }
    const cache = new MemoryCache();
    const config = await ConfigStore.open({ db, live: false });
    await cache.set('correlation_matrix:30', { stale: true }, 60);

    // Daily log returns uniform on ±0.1 have σ = 0.2/√12 ≈ 5.8 %, × √365 ≈ 1.1 a year for AAA (and BBB);
    // CCC: 0.01/√12 × √365 ≈ 0.06. The default threshold is 0.8.
    const first = await runAnalyticsAndPublish(db, { config, pubsub, cache }, { asOf });
    expect(first.alerts.volatility.map((v) => v.symbol).sort()).toEqual(['AAA', 'BBB']);
    expect(await cache.get('correlation_matrix:30')).toBeUndefined();
    expect(first.alerts.correlation).toEqual([]); // nothing stored before the first run

    // Pretend the previous run saw AAA/BBB as NORMAL: the recomputed CRITICAL level is a crossing.
    await db.query(
      "UPDATE derived.asset_correlations SET risk_level = 'NORMAL' WHERE asset_1 = 'AAA' AND asset_2 = 'BBB'",
    );
    const second = await runAnalyticsAndPublish(db, { config, pubsub, cache }, { asOf });
    expect(second.alerts.correlation).toEqual([
      expect.objectContaining({ asset_1: 'AAA', asset_2: 'BBB', from: 'NORMAL', to: 'CRITICAL' }),
    ]);
    // NOTIFY is delivered asynchronously: wait (up to 10 s) for every message, then check nothing more came
    const arrived = () =>
      (got.volatility_alerts?.length ?? 0) >= 4 &&
      (got.correlation_alerts?.length ?? 0) >= 1 &&
      (got.data_ready?.length ?? 0) >= 2;
    for (let i = 0; i < 200 && !arrived(); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(got.volatility_alerts?.length).toBe(4);
    expect(got.correlation_alerts?.[0]).toMatchObject({
      type: 'contagion_up',
      asset_1: 'AAA',
      to: 'CRITICAL',
    });
    expect(got.data_ready?.length).toBe(2);
    await pubsub.close();
  });
});
