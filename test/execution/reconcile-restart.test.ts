/**
 * Reconciliation after a restart, on the store (PGlite and PostgreSQL) against the loopback Binance and Alpaca:
 * a process places orders and records them as the runner does, stops; the venue fills and cancels while it is
 * down (and someone places an order by hand); a new process reconciles. Fills and cancels are applied as
 * `reconciled` transitions, every other difference is one alert, and nothing we stored is overwritten.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlpacaBroker } from '../../src/execution/alpaca.ts';
import { createBinanceBroker } from '../../src/execution/binance.ts';
import type { Broker, OrderUpdate, SubmitOrder } from '../../src/execution/broker.ts';
import { reconcileBroker } from '../../src/execution/reconcile-service.ts';
import type { Db } from '../../src/store/db.ts';
import { listAlerts } from '../../src/store/repos/alerts.ts';
import {
  addFill,
  getOrder,
  insertOrder,
  listOrderEvents,
  listPositions,
  transitionOrder,
} from '../../src/store/repos/execution.ts';
import { type TestBackend, testBackends } from '../store/backends.ts';
import { startFakeAlpaca } from './fake-alpaca.ts';
import { startFakeBinance } from './fake-binance.ts';

const backends = await testBackends('exec_reconcile');

/** What the trading runner does with an order: store it `new`, submit, store the venue's answer. */
async function place(db: Db, broker: Broker, o: SubmitOrder): Promise<void> {
  await insertOrder(db, { ...o, broker: broker.name, limitPrice: o.price, strategy: 'test' });
  const ack = await broker.submit(o);
  await transitionOrder(db, o.clientOrderId, ack.status, {
    brokerOrderId: ack.brokerOrderId,
    reason: ack.reason,
  });
}

/** What the runner does with a live update. */
async function apply(db: Db, broker: Broker, u: OrderUpdate): Promise<void> {
  if (u.fill) await addFill(db, { ...u.fill, broker: broker.name });
  await transitionOrder(db, u.order.clientOrderId, u.order.status, {
    filledQty: u.order.filledQty,
    avgPrice: u.order.avgPrice,
  });
}

const KEY = 'rk-key-0001';
const SECRET = 'rk-secret-0001';

for (const backend of backends) {
  describe(`reconciliation after a restart on ${backend.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await backend.open();
    });
    afterAll(async () => {
      await (backend as TestBackend).dispose(db);
    });

    it('binance: fills and cancels made while down are applied, the rest become alerts once', async () => {
      const fake = await startFakeBinance({ apiKey: KEY, apiSecret: SECRET, balances: { USDT: 100_000 } });
      const opts = {
        apiKey: KEY,
        apiSecret: SECRET,
        baseUrl: fake.baseUrl,
        timeoutMs: 1000,
        throttle: false,
      };
      try {
        // process 1
        const first = createBinanceBroker(opts);
        const updates: OrderUpdate[] = [];
        first.onUpdate((u) => updates.push(u));
        const limit = (id: string, qty: number): SubmitOrder => ({
          clientOrderId: id,
          symbol: 'BTC',
          side: 'buy',
          type: 'limit',
          qty,
          price: 20_000,
        });
        await place(db, first, limit('b-1', 0.2));
        await place(db, first, limit('b-2', 0.1));
        await place(db, first, limit('b-3', 0.1));
        await insertOrder(db, { ...limit('b-4', 0.1), broker: 'binance', limitPrice: 20_000 }); // stopped before sending
        fake.fill('b-1', 0.05, 20_000);
        await first.pollOnce();
        for (const u of updates) await apply(db, first, u);
        await first.close();

        // while down
        fake.fill('b-1', 0.15, 20_000);
        fake.cancelAtVenue('b-2');
        const byHand = createBinanceBroker(opts);
        await byHand.submit({
          clientOrderId: 'web-1',
          symbol: 'BTC',
          side: 'buy',
          type: 'limit',
          qty: 0.01,
          price: 15_000,
        });
        await byHand.close();

        // process 2
        const second = createBinanceBroker(opts);
        const report = await reconcileBroker({ db, broker: second });
        expect(report.applied.map((t) => [t.clientOrderId, t.from, t.to, t.fill?.qty])).toEqual([
          ['b-1', 'partially_filled', 'filled', expect.closeTo(0.15, 12)],
          ['b-2', 'accepted', 'cancelled', undefined],
        ]);
        expect(report.mismatches.map((m) => [m.kind, m.clientOrderId])).toEqual([
          ['order_missing_at_venue', 'b-4'],
          ['order_unknown', 'web-1'],
        ]);
        expect(report.alerts).toHaveLength(2);
        expect(await getOrder(db, 'b-1')).toMatchObject({
          status: 'filled',
          filled_qty: expect.closeTo(0.2, 12),
          avg_price: 20_000,
        });
        expect((await listOrderEvents(db, 'b-1')).map((e) => [e.to_status, e.reason])).toEqual([
          ['new', null],
          ['accepted', null],
          ['partially_filled', null],
          ['filled', 'reconciled'],
        ]);
        expect(await getOrder(db, 'b-4')).toMatchObject({ status: 'new' }); // never overwritten
        const [btc] = await listPositions(db, { broker: 'binance' });
        expect(btc).toMatchObject({ symbol: 'BTC', qty: expect.closeTo(0.2, 12), avg_price: 20_000 });

        // a second run finds the same differences and raises nothing new
        const again = await reconcileBroker({ db, broker: second });
        expect(again.applied).toEqual([]);
        expect(again.mismatches).toHaveLength(2);
        expect(again.alerts).toEqual([]);
        const alerts = await listAlerts(db, { type: 'reconcile_mismatch' });
        expect(alerts.map((a) => [a.asset, a.venues, a.details.kind]).sort()).toEqual([
          ['BTC', ['binance'], 'order_missing_at_venue'],
          ['BTC', ['binance'], 'order_unknown'],
        ]);
        // exactly the orders we and the person by hand placed exist at the venue
        expect(fake.orders.map((o) => o.clientOrderId)).toEqual(['b-1', 'b-2', 'b-3', 'web-1']);
        await second.close();
      } finally {
        await fake.close();
      }
    });

    it('alpaca: a fill while down is applied and the position agrees', async () => {
      const fake = await startFakeAlpaca({ apiKey: KEY, apiSecret: SECRET, cash: 100_000 });
      const opts = { apiKey: KEY, apiSecret: SECRET, baseUrl: fake.baseUrl, timeoutMs: 1000 };
      try {
        const first = new AlpacaBroker(opts);
        await place(db, first, {
          clientOrderId: 'a-1',
          symbol: 'SPY',
          side: 'buy',
          type: 'limit',
          qty: 10,
          price: 400,
        });
        await first.close();
        fake.fill('a-1', 10, 399.5);
        const second = new AlpacaBroker(opts);
        const report = await reconcileBroker({ db, broker: second });
        expect(report.applied.map((t) => [t.clientOrderId, t.to, t.fill?.qty, t.fill?.price])).toEqual([
          ['a-1', 'filled', 10, 399.5],
        ]);
        expect(report.mismatches).toEqual([]);
        expect(await listPositions(db, { broker: 'alpaca' })).toMatchObject([
          { symbol: 'SPY', qty: 10, avg_price: 399.5 },
        ]);
        await second.close();
      } finally {
        await fake.close();
      }
    });
  });
}
