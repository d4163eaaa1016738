import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelMessage } from '../../src/cache/index.ts';
import { PgPubSub } from '../../src/cache/pg-pubsub.ts';
import { runSupplyFeed } from '../../src/pipeline/feeds/supply.ts';
import { DefiLlamaClient } from '../../src/sources/defillama/client.ts';
import {
  type Loopback,
  seededRandom,
  startLoopback,
  virtualClock,
} from '../../src/sources/testing/loopback.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { readSupply } from '../../src/store/repos/supply.ts';

const NOW = Date.UTC(2023, 2, 12, 12);
/** Daily USDC totals around the SVB weekend (made-up round numbers): −5 % from 11 to 12 March, 1e3 on the 9th is bad. */
const CHART = [
  { date: String(Date.UTC(2023, 2, 9) / 1000), totalCirculating: { peggedUSD: 1_000 } },
  { date: String(Date.UTC(2023, 2, 10) / 1000), totalCirculating: { peggedUSD: 43_000_000_000 } },
  { date: String(Date.UTC(2023, 2, 11) / 1000), totalCirculating: { peggedUSD: 40_000_000_000 } },
  { date: String(Date.UTC(2023, 2, 12) / 1000), totalCirculating: { peggedUSD: 38_000_000_000 } },
];
const LIST = {
  peggedAssets: [
    {
      id: '2',
      name: 'USD Coin',
      symbol: 'USDC',
      pegType: 'peggedUSD',
      circulating: { peggedUSD: 38_000_000_000 },
      chainCirculating: { Ethereum: { current: { peggedUSD: 30_000_000_000 } } },
    },
  ],
};

let db: Db;
let server: Loopback;
beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
  await db.exec(
    `INSERT INTO market_data.instruments (symbol, asset_class, name, peg_target) VALUES ('USDC', 'stablecoin', 'USD Coin', 1)`,
  );
  server = await startLoopback((req) =>
    req.url.pathname === '/stablecoins' ? { body: LIST } : { body: CHART },
  );
}, 60_000);
afterAll(async () => {
  await server?.close();
  await db?.close();
});

describe('supply feed (DefiLlama on loopback → store)', () => {
  it('stores total and per-chain supply, quarantines the implausible day, moves the watermark and alerts on −5 %', async () => {
    const client = new DefiLlamaClient({
      baseUrl: server.baseUrl,
      clock: virtualClock(),
      random: seededRandom(1),
    });
    const pubsub = new PgPubSub(db);
    const got: ChannelMessage[] = [];
    const unsub = await pubsub.subscribe('supply_alerts', (m) => got.push(m));
    const r = await runSupplyFeed(
      { db, client, pubsub },
      { symbols: ['USDC', 'PYUSD'], history: true, dropThreshold: -0.05, now: NOW },
    );
    // 2 latest (total, Ethereum) + 4 daily totals; 9 March has no day before it to compare with, so it is kept.
    expect(r.read).toBe(6);
    expect(r.missing).toEqual(['PYUSD']);
    // 10 March: 43e9 vs 1e3 the day before → more than 50 % apart → quarantined.
    expect(r.quarantined).toBe(1);
    const q = await db.query<{ rule: string }>(`SELECT rule FROM ops.quarantine WHERE interval = 'supply'`);
    expect(q.rows.map((x) => x.rule)).toEqual(['supply_jump']);
    const total = await readSupply(db, 'USDC', 'all');
    expect(total.map((p) => p.ts)).toEqual([
      Date.UTC(2023, 2, 9),
      Date.UTC(2023, 2, 11),
      Date.UTC(2023, 2, 12),
      NOW,
    ]);
    expect((await readSupply(db, 'USDC', 'Ethereum')).map((p) => p.circulating)).toEqual([30_000_000_000]);
    // Newest total 38e9 at NOW against 40e9 on 11 March (≥ 24 h before): 38/40 − 1 = −5 %.
    expect(r.alerts).toEqual([{ symbol: 'USDC', change_24h: expect.closeTo(-0.05, 12) }]);
    const wm = await db.query<{ watermark: Date }>(
      `SELECT watermark FROM ops.watermarks WHERE source = 'defillama_supply'`,
    );
    expect(new Date(wm.rows[0]?.watermark ?? 0).getTime()).toBe(NOW);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(got[0]).toMatchObject({ type: 'supply_drop', asset: 'USDC' });
    await unsub();
    // Idempotent: a second run stores nothing new.
    const again = await runSupplyFeed({ db, client }, { symbols: ['USDC'], history: true, now: NOW });
    expect(again.stored).toBe(0);
  }, 60_000);
});
