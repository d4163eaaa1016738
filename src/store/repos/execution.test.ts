import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestBackend, testBackends } from '../../../test/store/backends.ts';
import { ORDER_STATUSES, ORDER_TRANSITIONS } from '../../execution/broker.ts';
import { checkOrder, haltState, type RiskLimits } from '../../execution/risk.ts';
import { haltTrading } from '../../execution/service.ts';
import type { Db } from '../db.ts';
import { migrate } from '../migrate.ts';
import {
  activeHalt,
  addFill,
  clearHalt,
  getOrder,
  InvalidTransitionError,
  insertOrder,
  insertRiskDecision,
  listHalts,
  listOrderEvents,
  listOrders,
  listPositions,
  type NewOrder,
  realizedPnlSince,
  setHalt,
  strategyScope,
  transitionOrder,
  upsertAccount,
} from './execution.ts';

const backends = await testBackends('execution');

const T0 = Date.UTC(2024, 0, 2, 14, 30);
const order = (id: string, extra: Partial<NewOrder> = {}): NewOrder => ({
  clientOrderId: id,
  broker: 'paper',
  strategy: 'ma-crossover',
  runId: 'run-1',
  symbol: 'SPY',
  side: 'buy',
  type: 'market',
  qty: 10,
  at: T0,
  ...extra,
});

for (const backend of backends) {
  describe(`execution repository on ${backend.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await backend.open();
    });
    afterAll(async () => {
      await (backend as TestBackend).dispose(db);
    });

    it('stores an order as new once per client order id, with its creation event', async () => {
      const a = await insertOrder(db, order('o-1'));
      expect(a.created).toBe(true);
      expect(a.order).toMatchObject({
        client_order_id: 'o-1',
        status: 'new',
        qty: 10,
        filled_qty: 0,
        avg_price: null,
      });
      const again = await insertOrder(db, order('o-1', { qty: 99 }));
      expect(again.created).toBe(false);
      expect(again.order.id).toBe(a.order.id);
      expect(again.order.qty).toBe(10);
      expect((await listOrders(db)).length).toBe(1);
      expect(await listOrderEvents(db, 'o-1')).toEqual([
        {
          order_id: a.order.id,
          from_status: null,
          to_status: 'new',
          reason: null,
          at: new Date(T0).toISOString(),
        },
      ]);
    });

    it('enforces ORDER_TRANSITIONS on every pair of statuses and stores each allowed transition', async () => {
      let n = 0;
      for (const from of ORDER_STATUSES) {
        for (const to of ORDER_STATUSES) {
          if (from === to && to !== 'partially_filled') continue;
          const id = `m-${from}-${to}`;
          await insertOrder(db, order(id));
          // walk to `from` along allowed edges: new → from, or new → accepted → from
          const path =
            from === 'new'
              ? []
              : from === 'accepted' || from === 'partially_filled' || from === 'rejected'
                ? [from]
                : ['accepted', from];
          for (const s of path) await transitionOrder(db, id, s as (typeof ORDER_STATUSES)[number]);
          const allowed = ORDER_TRANSITIONS[from].includes(to);
          if (allowed) {
            const row = await transitionOrder(db, id, to, { reason: 'why' });
            expect(row.status).toBe(to);
            const ev = await listOrderEvents(db, id);
            expect(ev.at(-1)).toMatchObject({ from_status: from, to_status: to, reason: 'why' });
          } else {
            await expect(transitionOrder(db, id, to)).rejects.toBeInstanceOf(InvalidTransitionError);
            expect((await getOrder(db, id))?.status).toBe(from);
          }
          n++;
        }
      }
      expect(n).toBe(7 * 7 - 6);
    });

    it('keeps the rule that rejected an order and ignores a repeated status', async () => {
      await insertOrder(db, order('r-1'));
      const r = await transitionOrder(db, 'r-1', 'rejected', { reason: 'risk:max_order_notional' });
      expect(r).toMatchObject({ status: 'rejected', reason: 'risk:max_order_notional' });
      await transitionOrder(db, 'r-1', 'rejected');
      expect((await listOrderEvents(db, 'r-1')).length).toBe(2);
      expect((await listOrders(db, { status: 'rejected' })).map((o) => o.client_order_id)).toContain('r-1');
      await expect(transitionOrder(db, 'nope', 'accepted')).rejects.toThrow(/no order nope/);
    });

    it('adds fills once per broker fill id and keeps the average price and realised P&L', async () => {
      await insertOrder(db, order('f-1', { symbol: 'BTC', qty: 3 }));
      const fill = {
        broker: 'paper',
        clientOrderId: 'f-1',
        symbol: 'BTC',
        side: 'buy' as const,
        fee: 1,
        ts: T0,
      };
      const a = await addFill(db, { ...fill, fillId: 'x1', qty: 1, price: 100 });
      expect(a.inserted).toBe(true);
      const dup = await addFill(db, { ...fill, fillId: 'x1', qty: 1, price: 100 });
      expect(dup.inserted).toBe(false);
      const b = await addFill(db, { ...fill, fillId: 'x2', qty: 2, price: 130 });
      // (1·100 + 2·130) / 3 = 120
      expect(b.position).toMatchObject({ qty: 3, avg_price: 120, realized_pnl: 0 });
      const o = await getOrder(db, 'f-1');
      expect([o?.filled_qty, o?.avg_price]).toEqual([3, 120]);
      // a venue's cumulative figure given with the transition is not counted twice by the fills
      await transitionOrder(db, 'f-1', 'filled', { filledQty: 3, avgPrice: 120 });
      await addFill(db, { ...fill, fillId: 'x2', qty: 2, price: 130 });
      const same = await getOrder(db, 'f-1');
      expect([same?.filled_qty, same?.avg_price]).toEqual([3, 120]);
      // sell 4 at 150: closes 3 (realises 3·(150−120) = 90) and opens −1 at 150
      await insertOrder(db, order('f-2', { symbol: 'BTC', side: 'sell', qty: 4 }));
      const c = await addFill(db, {
        ...fill,
        clientOrderId: 'f-2',
        side: 'sell',
        fillId: 'x3',
        qty: 4,
        price: 150,
      });
      expect(c.position).toMatchObject({ qty: -1, avg_price: 150, realized_pnl: 90 });
      // fees of the three fills: 3
      expect(await realizedPnlSince(db, T0 - 1, 'paper')).toBe(87);
      expect(await realizedPnlSince(db, T0 + 1)).toBe(0);
    });

    it('lists positions with market value at the latest stored close, flat ones left out', async () => {
      await db.query(
        `INSERT INTO market_data.instruments (symbol, asset_class, name) VALUES ('BTC', 'crypto', 'Bitcoin')
         ON CONFLICT (symbol) DO NOTHING`,
      );
      await db.query(
        `INSERT INTO market_data.bars (instrument_id, interval, ts, open, high, low, close, source)
         SELECT id, '1d', $1, 1, 1, 1, 140, 'test' FROM market_data.instruments WHERE symbol = 'BTC'`,
        [new Date(T0)],
      );
      const [btc] = await listPositions(db, { symbol: 'BTC' });
      // −1 × 140 and −1 × (140 − 150)
      expect(btc).toMatchObject({
        broker: 'paper',
        symbol: 'BTC',
        qty: -1,
        market_value: -140,
        unrealized_pnl: 10,
      });
      await insertOrder(db, order('f-3', { symbol: 'BTC', qty: 1 }));
      await addFill(db, {
        broker: 'paper',
        clientOrderId: 'f-3',
        symbol: 'BTC',
        side: 'buy',
        fee: 0,
        ts: T0,
        fillId: 'x4',
        qty: 1,
        price: 140,
      });
      expect(await listPositions(db, { symbol: 'BTC' })).toEqual([]);
      expect((await listPositions(db, { symbol: 'BTC', includeFlat: true }))[0]?.qty).toBe(0);
    });

    it('halts globally or per strategy, and resumes', async () => {
      expect(await activeHalt(db, 'ma-crossover')).toBeUndefined();
      await setHalt(db, strategyScope('ma-crossover'), 'daily loss', 'risk', T0);
      expect((await activeHalt(db, 'ma-crossover'))?.reason).toBe('daily loss');
      expect(await activeHalt(db, 'other')).toBeUndefined();
      await setHalt(db, 'global', 'manual', 'cli:ops', T0);
      expect((await activeHalt(db, 'other'))?.scope).toBe('global');
      expect((await listHalts(db)).map((h) => h.scope)).toEqual(['global', 'strategy:ma-crossover']);
      expect(await clearHalt(db, 'global')).toBe(true);
      expect(await clearHalt(db, 'global')).toBe(false);
      expect((await activeHalt(db, 'ma-crossover'))?.scope).toBe('strategy:ma-crossover');
      await expect(setHalt(db, 'bogus', 'x')).rejects.toThrow();
    });

    describe('halt kind decides reducing vs total, not the actor (migration 100)', () => {
      const LIMITS_OFF: RiskLimits = {
        maxOrderNotional: 0,
        maxPositionNotional: 0,
        maxGrossExposure: 0,
        maxDailyLoss: 0,
        haltOnDepeg: false,
      };
      // long 10 SPY: selling 4 reduces the position (an exit), buying 1 increases it
      const exitVerdict = async (strategy: string) => {
        const h = await activeHalt(db, strategy);
        if (h === undefined) throw new Error(`expected a halt on ${strategy}`);
        const state = {
          halt: haltState(h),
          positions: new Map([['SPY', 10]]),
          marks: new Map([['SPY', 100]]),
          dailyPnl: 0,
          depegged: new Set<string>(),
          quoteCurrency: 'USD',
        };
        return {
          exit: checkOrder({ symbol: 'SPY', side: 'sell', qty: 4, price: 100 }, state, LIMITS_OFF),
          add: checkOrder({ symbol: 'SPY', side: 'buy', qty: 1, price: 100 }, state, LIMITS_OFF),
        };
      };

      it('a manual halt by an API user named "risk" refuses exits too', async () => {
        const h = await haltTrading(db, { reason: 'ops stop', strategy: 'kind-manual', actor: 'risk' });
        expect(h).toMatchObject({ scope: 'strategy:kind-manual', actor: 'risk', kind: 'manual' });
        const v = await exitVerdict('kind-manual');
        expect(v.exit).toMatchObject({ allowed: false, rule: 'kill_switch' });
        expect(v.add).toMatchObject({ allowed: false, rule: 'kill_switch' });
      });

      it('a daily-loss halt lets exits through and refuses new exposure', async () => {
        await setHalt(db, strategyScope('kind-loss'), 'loss today 600 reached 500', 'risk', T0, 'daily_loss');
        expect((await listHalts(db)).find((h) => h.scope === 'strategy:kind-loss')?.kind).toBe('daily_loss');
        const v = await exitVerdict('kind-loss');
        expect(v.exit).toMatchObject({ allowed: true, reduceOnly: { rule: 'max_daily_loss' } });
        expect(v.add).toMatchObject({ allowed: false, rule: 'max_daily_loss' });
        // a manual halt on the same scope replaces it and is total again
        await setHalt(db, strategyScope('kind-loss'), 'ops stop', 'cli:ops', T0);
        expect((await exitVerdict('kind-loss')).exit).toMatchObject({ allowed: false, rule: 'kill_switch' });
      });

      it('migration 100 backfills halts stored by the daily-loss breach (actor risk) as daily_loss', async () => {
        // back to the schema before 100, with one halt of each origin, then migrate again
        await db.exec(`DELETE FROM ops.migrations WHERE version = 100;
          ALTER TABLE execution.halts DROP COLUMN kind;
          DELETE FROM execution.halts;`);
        await db.query(
          `INSERT INTO execution.halts (scope, reason, actor) VALUES
             ('strategy:old-loss', 'loss', 'risk'), ('strategy:old-manual', 'stop', 'cli:ops')`,
        );
        expect((await migrate(db)).applied).toEqual(['100_halt_kind']);
        expect((await listHalts(db)).map((h) => [h.scope, h.kind])).toEqual([
          ['strategy:old-loss', 'daily_loss'],
          ['strategy:old-manual', 'manual'],
        ]);
        await expect(setHalt(db, 'global', 'x', 'a', T0, 'bogus' as 'manual')).rejects.toThrow();
        const d = await db.query<{ description: string }>(
          `SELECT description FROM config.parameters WHERE category = 'risk_limits' AND key = 'max_daily_loss'`,
        );
        expect(d.rows[0]?.description).toContain('reducing state');
        await db.exec('DELETE FROM execution.halts');
      });
    });

    it('records risk decisions and accounts', async () => {
      await insertRiskDecision(db, {
        clientOrderId: 'r-1',
        broker: 'paper',
        symbol: 'SPY',
        allowed: false,
        rule: 'max_order_notional',
        detail: { notional: 2 },
      });
      await upsertAccount(db, { broker: 'paper', currency: 'USD', cash: 5, equity: Number.NaN });
      await upsertAccount(db, { broker: 'paper', currency: 'USD', cash: 6, equity: 7 });
      const acc = await db.query<{ cash: number; equity: number }>(
        'SELECT cash, equity FROM execution.accounts',
      );
      expect(acc.rows).toEqual([{ cash: 6, equity: 7 }]);
      const rd = await db.query<{ rule: string }>('SELECT rule FROM execution.risk_decisions');
      expect(rd.rows).toEqual([{ rule: 'max_order_notional' }]);
    });
  });
}
