/**
 * The runner beyond replay: external brokers get nothing without `--live` and trading.live_enabled (a dry
 * run), and live mode trades on bars as they are stored (polled from market_data.bars).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigStore } from '../../src/config/store.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { createLogger } from '../../src/core/log.ts';
import type { StoredBar } from '../../src/core/types.ts';
import type { Broker, BrokerOrder, SubmitOrder } from '../../src/execution/broker.ts';
import { KeylessVenue } from '../../src/execution/keyless-venue.ts';
import { PaperBroker } from '../../src/execution/paper.ts';
import { runTrade } from '../../src/execution/runner.ts';
import type { Db } from '../../src/store/db.ts';
import { insertAlert } from '../../src/store/repos/alerts.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import {
  clearHalt,
  getOrder,
  insertOrder,
  listHalts,
  listOrderEvents,
  listPositions,
  transitionOrder,
} from '../../src/store/repos/execution.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { type TestBackend, testBackends } from '../store/backends.ts';
import { loadSamples } from './fixtures.ts';

const [backend] = await testBackends('exec_live');
if (backend === undefined) throw new Error('no backend');
const log = createLogger('silent');

/** An external venue that fills whatever it is sent at 100 (records what it got). */
function externalVenue(): Broker & { sent: SubmitOrder[] } {
  const sent: SubmitOrder[] = [];
  return {
    name: 'venue',
    external: true,
    sent,
    async submit(o) {
      sent.push(o);
      const order: BrokerOrder = { ...o, status: 'filled', filledQty: o.qty, avgPrice: 100, updatedAt: 0 };
      return order;
    },
    async cancel() {
      throw new Error('not used');
    },
    async orders() {
      return [];
    },
    async positions() {
      return [];
    },
    async account() {
      return { currency: 'USD', cash: 0, equity: Number.NaN };
    },
    onUpdate: () => () => undefined,
    async close() {},
  };
}

describe(`trade runner: dry runs and live bars (${backend.name})`, () => {
  let db: Db;
  let config: ConfigStore;
  beforeAll(async () => {
    db = await backend.open();
    await loadSamples(db);
    config = await ConfigStore.open({ db, live: false });
  }, 60_000);
  afterAll(async () => {
    await config.close();
    await (backend as TestBackend).dispose(db);
  });

  const replay = { from: Date.UTC(2022, 0, 1), to: Date.UTC(2023, 0, 1) };
  const req = { strategy: 'ma-crossover', symbols: ['BTC'], params: { fast: 5, slow: 20 }, replay };
  const orderCount = async () =>
    Number(
      (await db.query<{ n: string }>(`SELECT count(*) AS n FROM execution.orders WHERE broker = 'venue'`))
        .rows[0]?.n,
    );

  it('an external broker without --live, or without trading.live_enabled, gets nothing (dry run)', async () => {
    for (const live of [false, true]) {
      const venue = externalVenue();
      const out = await runTrade({ db, config, log, broker: venue }, { ...req, live });
      expect(out.dry_run).toBe(true);
      expect(out.would_send.length).toBeGreaterThan(0);
      expect(venue.sent).toEqual([]);
    }
    expect(await orderCount()).toBe(0);
    // enabled but without --live: still a dry run
    const enabled = config.withValues([{ category: 'trading', key: 'live_enabled', value: true }]);
    const venue = externalVenue();
    expect(
      (await runTrade({ db, config: enabled, log, broker: venue }, { ...req, live: false })).dry_run,
    ).toBe(true);
    expect(venue.sent).toEqual([]);
  });

  it('with --live and trading.live_enabled the orders are sent, stored and never sent twice', async () => {
    const enabled = config.withValues([{ category: 'trading', key: 'live_enabled', value: true }]);
    const venue = externalVenue();
    const out = await runTrade({ db, config: enabled, log, broker: venue }, { ...req, live: true });
    expect(out.dry_run).toBe(false);
    expect(venue.sent.length).toBe(out.orders);
    expect(await orderCount()).toBe(out.orders);
    const ids = venue.sent.map((o) => o.clientOrderId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^mp[0-9a-f]{30}$/.test(id))).toBe(true);
    const retry = externalVenue();
    const again = await runTrade({ db, config: enabled, log, broker: retry }, { ...req, live: true });
    expect(retry.sent).toEqual([]);
    expect(again.duplicates).toBe(out.orders);
  });

  it('sending to an external broker reconciles first: a fill made while we were away is applied', async () => {
    const enabled = config.withValues([{ category: 'trading', key: 'live_enabled', value: true }]);
    const venue = { ...externalVenue(), name: 'venue-r' };
    const cid = 'mp-reconcile-at-start-0001';
    await insertOrder(db, {
      clientOrderId: cid,
      broker: 'venue-r',
      symbol: 'BTC',
      side: 'buy',
      type: 'market',
      qty: 1,
    });
    await transitionOrder(db, cid, 'accepted', { reason: 'venue ack', brokerOrderId: 'v-1' });
    // the venue filled it while no runner was up
    venue.orders = async () => [
      {
        clientOrderId: cid,
        brokerOrderId: 'v-1',
        symbol: 'BTC',
        side: 'buy',
        type: 'market',
        qty: 1,
        status: 'filled',
        filledQty: 1,
        avgPrice: 100,
        updatedAt: Date.UTC(2022, 0, 3),
      },
    ];
    // the account also holds a coin this store never traded: not ours to flag
    venue.positions = async () => [
      { symbol: 'BTC', qty: 1, avgPrice: 100 },
      { symbol: 'BNB', qty: 3, avgPrice: Number.NaN },
    ];
    const out = await runTrade({ db, config: enabled, log, broker: venue }, { ...req, live: true });
    expect(out.reconciled[0]?.applied).toBe(1);
    expect(out.reconciled[0]?.mismatches).toBe(0);
    const stored = await getOrder(db, cid);
    expect(stored?.status).toBe('filled');
    const events = await listOrderEvents(db, cid);
    expect(events.at(-1)?.reason).toBe('reconciled');
    // a dry run never talks to the venue's books
    const dry = await runTrade({ db, config, log, broker: venue }, { ...req, live: true });
    expect(dry.reconciled).toEqual([]);
  });

  it('an open depeg alert on the coin the account quotes in refuses every order (halt_on_depeg)', async () => {
    const id = await insertAlert(db, {
      type: 'depeg',
      asset: 'USDT',
      ts: Date.UTC(2022, 4, 10),
      price: 0.95,
      threshold: 0.005,
      venues: ['binance'],
      details: {},
    });
    const usdt = new PaperBroker({ symbols: ['BTC'], currency: 'USDT' });
    const out = await runTrade({ db, config, log, broker: usdt }, { ...req, params: { fast: 4, slow: 20 } });
    expect(out.orders).toBeGreaterThan(0);
    expect(out.rejected).toBe(out.orders);
    expect(new Set(out.rejections.map((r) => r.rule))).toEqual(new Set(['halt_on_depeg']));
    // quoting in USD, the same alert does not stop the run
    const usd = new PaperBroker({ symbols: ['BTC'] });
    const ok = await runTrade({ db, config, log, broker: usd }, { ...req, params: { fast: 4, slow: 21 } });
    expect(ok.rejected).toBe(0);
    await db.query('UPDATE alerts.alerts SET state = $2 WHERE id = $1', [id.id, 'recovered']);
  });

  it('a venue without keys only dry-runs: sending to it is refused before anything is stored', async () => {
    const missing = '--broker binance needs BINANCE_API_KEY and BINANCE_API_SECRET';
    const keyless = new KeylessVenue('binance', 'USDT', missing);
    const enabled = config.withValues([{ category: 'trading', key: 'live_enabled', value: true }]);
    const before = await db.query(`SELECT 1 FROM execution.orders WHERE broker = 'binance'`);
    await expect(
      runTrade(
        { db, config: enabled, log, broker: keyless },
        { ...req, params: { fast: 6, slow: 20 }, live: true },
      ),
    ).rejects.toThrow(new ConfigError(missing));
    const dry = await runTrade(
      { db, config, log, broker: keyless },
      { ...req, params: { fast: 6, slow: 20 } },
    );
    expect(dry.dry_run).toBe(true);
    expect(dry.would_send.length).toBeGreaterThan(0);
    const after = await db.query(`SELECT 1 FROM execution.orders WHERE broker = 'binance'`);
    expect(after.rows.length).toBe(before.rows.length);
  });

  it('a daily loss reaching max_daily_loss refuses the order and halts the strategy for new exposure', async () => {
    // 1 (USD) of loss in a UTC day: the 2022 BTC replay loses more than that on its first losing day
    const strict = config.withValues([{ category: 'risk_limits', key: 'max_daily_loss', value: 1 }]);
    const broker = new PaperBroker({ symbols: ['BTC'] });
    const out = await runTrade(
      { db, config: strict, log, broker },
      { ...req, params: { fast: 3, slow: 20 } },
    );
    expect(out.rejections[0]?.rule).toBe('max_daily_loss');
    expect(out.halted).toMatchObject({ scope: 'strategy:ma-crossover' });
    expect((await listHalts(db)).map((h) => [h.scope, h.actor, h.kind])).toEqual([
      ['strategy:ma-crossover', 'risk', 'daily_loss'],
    ]);
    // the halt the breach left is reducing: every later refusal is max_daily_loss (none is a total kill switch)
    expect(out.rejections.every((r) => r.rule === 'max_daily_loss')).toBe(true);
    expect(await clearHalt(db, 'strategy:ma-crossover')).toBe(true);
  });

  it('replay: a strategy whose loss breaches max_daily_loss can still exit its position (reducing state)', async () => {
    await upsertInstruments(db, [
      { symbol: 'DROP', assetClass: 'crypto', name: 'Drop', currency: 'USD', timezone: 'UTC' },
    ]);
    const t0 = Date.UTC(2026, 0, 6, 10, 0);
    const closes = [100, 100, 100, 95, 90, 90, 90, 90];
    await upsertBars(
      db,
      closes.map((c, k) => ({
        symbol: 'DROP',
        interval: '1m' as const,
        source: 'test',
        ts: t0 + k * 60_000,
        open: c,
        high: c,
        low: c,
        close: c,
        volume: 1,
      })),
    );
    // all in at step 1, out at step 4 (after the drop), all in again at step 6
    const dir = mkdtempSync(join(tmpdir(), 'mp-reducing-'));
    const file = join(dir, 'scripted.ts');
    writeFileSync(
      file,
      `const PLAN: Record<number, number> = { 1: 1, 4: 0, 6: 1 };
export default (params: Record<string, unknown> = {}) => ({
  name: 'scripted-exit',
  params,
  onBar(ctx: { step: number }) {
    const w = PLAN[ctx.step];
    return w === undefined ? {} : { targets: { DROP: w } };
  },
});
`,
    );
    try {
      const strict = config.withValues([{ category: 'risk_limits', key: 'max_daily_loss', value: 5000 }]);
      const broker = new PaperBroker({ symbols: ['DROP'] });
      const out = await runTrade(
        { db, config: strict, log, broker },
        {
          strategy: file,
          symbols: ['DROP'],
          interval: '1m',
          engine: { fill: 'same_close' },
          replay: { from: t0, to: t0 + closes.length * 60_000 },
        },
      );
      // 100 000 cash all in at 100 = 1000 units; at 90 the day's loss is 1000 × 10 = 10 000 ≥ 5000: the exit
      // still goes through, the re-entry does not
      expect(out.fills.map((f) => [f.side, f.qty, f.price])).toEqual([
        ['buy', 1000, 100],
        ['sell', 1000, 90],
      ]);
      // the exit left the halt (reducing): the re-entry is refused by it
      expect(out.rejections).toMatchObject([
        {
          symbol: 'DROP',
          rule: 'max_daily_loss',
          message: 'halted for new exposure (strategy:scripted-exit): loss today 10000.00 reached 5000',
        },
      ]);
      expect(out.halted).toEqual({
        scope: 'strategy:scripted-exit',
        reason: 'loss today 10000.00 reached 5000',
      });
      expect(await listPositions(db, { broker: 'paper', symbol: 'DROP' })).toEqual([]);
      // the exit is stored and audited as allowed, with the reason
      const decisions = await db.query<{
        allowed: boolean;
        rule: string | null;
        detail: Record<string, unknown>;
      }>(`SELECT allowed, rule, detail FROM execution.risk_decisions WHERE symbol = 'DROP' ORDER BY id`);
      expect(decisions.rows.map((d) => [d.allowed, d.rule, d.detail.reduce_only ?? null])).toEqual([
        [true, null, null],
        [true, null, 'reduces DROP 1000 → 0 after max_daily_loss (loss today 10000.00 reached 5000)'],
        [false, 'max_daily_loss', null],
      ]);
      const audit = await db.query<{ action: string; detail: Record<string, unknown> }>(
        `SELECT action, detail FROM config.audit_chain WHERE kind = 'risk' AND actor = 'trade:scripted-exit' ORDER BY seq`,
      );
      expect(audit.rows.map((a) => [a.action, a.detail.reduce_only !== undefined])).toEqual([
        ['allow', false],
        ['allow', true],
        ['refuse', false],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await clearHalt(db, 'strategy:scripted-exit');
    }
  });

  it('live: warms up on stored 1m bars, then trades on bars stored while it runs', async () => {
    await upsertInstruments(db, [
      { symbol: 'ETH', assetClass: 'crypto', name: 'Ether', currency: 'USD', timezone: 'UTC' },
    ]);
    const t0 = Date.UTC(2026, 0, 5, 12, 0);
    const bar = (k: number, close: number): StoredBar => ({
      symbol: 'ETH',
      interval: '1m',
      source: 'test',
      ts: t0 + k * 60_000,
      open: close,
      high: close,
      low: close,
      close,
      volume: 1,
    });
    // warm-up: rising (the strategy believes it is long; nothing trades during warm-up)
    await upsertBars(
      db,
      [10, 11, 12, 13, 14].map((c, k) => bar(k, c)),
    );
    const broker = new PaperBroker({ symbols: ['ETH'] });
    const stop = new AbortController();
    const running = runTrade(
      { db, config, log, broker },
      {
        strategy: 'ma-crossover',
        symbols: ['ETH'],
        params: { fast: 2, slow: 3, entry: 'state' },
        engine: { fill: 'same_close' },
        forMs: 20_000,
        pollMs: 50,
        signal: stop.signal,
      },
    );
    await new Promise((r) => setTimeout(r, 400));
    // falling: SMA2 < SMA3 → target 0 (already flat: no order); then rising again: SMA2 > SMA3 → buy at the close
    await upsertBars(
      db,
      [12, 10, 8].map((c, k) => bar(5 + k, c)),
    );
    await new Promise((r) => setTimeout(r, 400));
    await upsertBars(
      db,
      [9, 12].map((c, k) => bar(8 + k, c)),
    );
    // stop once the fill is stored (or the 20 s bound ends the run)
    for (let i = 0; i < 400; i++) {
      const n = await db.query(`SELECT 1 FROM execution.fills WHERE symbol = 'ETH'`);
      if (n.rows.length > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    stop.abort();
    const out = await running;
    expect(out.mode).toBe('live');
    expect(out.bars).toBe(10);
    // k=9: SMA2 (9+12)/2 = 10.5 > SMA3 (8+9+12)/3 = 9.67: the first cross up after going flat
    expect(out.fills).toMatchObject([
      { symbol: 'ETH', side: 'buy', price: 12, ts: new Date(t0 + 9 * 60_000).toISOString() },
    ]);
    expect(out.fills[0]?.qty).toBeCloseTo(100_000 / 12, 9);
  });
});
