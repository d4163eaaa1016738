import { DAY_MS, startOfUtcDay } from '../../src/core/time.ts';
import type { Db } from '../../src/store/db.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { addFill, insertOrder, transitionOrder } from '../../src/store/repos/execution.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';

/**
 * Orders and positions for the Trading page's browser test, written through the execution repository
 * (its state machine and average-cost accounting), with one stored close per symbol as the mark.
 *
 * Expected values, by hand from the fills below (average cost, store/repos/execution.ts `addFill`):
 * - BTC: buy 1 @ 48,000 and 1 @ 49,000 → 2 @ 48,500; sell 0.5 @ 51,000 realises 0.5 × (51,000 − 48,500) =
 *   1,250 → 1.5 @ 48,500; mark 50,000 → market value 75,000, unrealised 1.5 × 1,500 = 2,250.
 * - SPY: 4 of a 10 @ 490 limit filled → 4 @ 490; mark 500 → market value 2,000, unrealised 4 × 10 = 40.
 * - Fees 4.8 + 4.9 + 2.55 + 1.96 = 14.21, so P&L today = 1,250 − 14.21 = 1,235.79 (fills stamped now);
 *   unrealised total 2,290. Both positions were opened today (fills stamped now), so their unrealised P&L
 *   today equals the since-entry one: P&L today total = 1,235.79 + 2,290 = 3,525.79.
 */
export const TRADING_EXPECTED = {
  positions: [
    {
      broker: 'paper',
      symbol: 'BTC',
      qty: 1.5,
      avg_price: 48_500,
      market_value: 75_000,
      unrealized_pnl: 2_250,
    },
    { broker: 'paper', symbol: 'SPY', qty: 4, avg_price: 490, market_value: 2_000, unrealized_pnl: 40 },
  ],
  pnlToday: 1_235.79,
  unrealized: 2_290,
  pnlTodayTotal: 3_525.79,
  /** client order id → status */
  orders: {
    'e2e-btc-buy': 'filled',
    'e2e-spy-limit': 'partially_filled',
    'e2e-spy-big': 'rejected',
    'e2e-btc-takeprofit': 'cancelled',
    'e2e-btc-trim': 'filled',
  },
} as const;

export async function seedTrading(db: Db, now = Date.now()): Promise<void> {
  await upsertInstruments(db, [
    { symbol: 'BTC', assetClass: 'crypto', name: 'Bitcoin', currency: 'USD', timezone: 'UTC' },
    { symbol: 'SPY', assetClass: 'etf', name: 'SPDR S&P 500', currency: 'USD', timezone: 'America/New_York' },
  ]);
  const day = startOfUtcDay(now) - DAY_MS;
  const bar = (symbol: string, close: number) => ({
    symbol,
    interval: '1d' as const,
    source: 'test',
    ts: day,
    open: close,
    high: close,
    low: close,
    close,
    volume: 1,
  });
  await upsertBars(db, [bar('BTC', 50_000), bar('SPY', 500)]);

  const at = (minutesAgo: number) => now - minutesAgo * 60_000;
  const order = async (
    clientOrderId: string,
    o: { symbol: string; side: 'buy' | 'sell'; type: 'market' | 'limit'; qty: number; limitPrice?: number },
    minutesAgo: number,
  ) =>
    insertOrder(db, { clientOrderId, broker: 'paper', strategy: 'ma-crossover', ...o, at: at(minutesAgo) });

  await order('e2e-btc-buy', { symbol: 'BTC', side: 'buy', type: 'market', qty: 2 }, 5);
  await transitionOrder(db, 'e2e-btc-buy', 'accepted', { brokerOrderId: 'p-1', at: at(5) });
  const fill = (
    clientOrderId: string,
    fillId: string,
    symbol: string,
    side: 'buy' | 'sell',
    qty: number,
    price: number,
    fee: number,
  ) => addFill(db, { broker: 'paper', clientOrderId, fillId, symbol, side, qty, price, fee, ts: now });
  await fill('e2e-btc-buy', 'f-1', 'BTC', 'buy', 1, 48_000, 4.8);
  await transitionOrder(db, 'e2e-btc-buy', 'partially_filled', { at: at(4) });
  await fill('e2e-btc-buy', 'f-2', 'BTC', 'buy', 1, 49_000, 4.9);
  await transitionOrder(db, 'e2e-btc-buy', 'filled', { at: at(4) });

  await order('e2e-spy-limit', { symbol: 'SPY', side: 'buy', type: 'limit', qty: 10, limitPrice: 490 }, 4);
  await transitionOrder(db, 'e2e-spy-limit', 'accepted', { brokerOrderId: 'p-2', at: at(4) });
  await fill('e2e-spy-limit', 'f-3', 'SPY', 'buy', 4, 490, 1.96);
  await transitionOrder(db, 'e2e-spy-limit', 'partially_filled', { at: at(3) });

  await order('e2e-spy-big', { symbol: 'SPY', side: 'sell', type: 'market', qty: 5000 }, 3);
  await transitionOrder(db, 'e2e-spy-big', 'rejected', { reason: 'max_order_notional', at: at(3) });

  await order(
    'e2e-btc-takeprofit',
    { symbol: 'BTC', side: 'sell', type: 'limit', qty: 1, limitPrice: 60_000 },
    2,
  );
  await transitionOrder(db, 'e2e-btc-takeprofit', 'accepted', { at: at(2) });
  await transitionOrder(db, 'e2e-btc-takeprofit', 'cancelled', {
    reason: 'cancelled by the strategy',
    at: at(2),
  });

  await order('e2e-btc-trim', { symbol: 'BTC', side: 'sell', type: 'market', qty: 0.5 }, 1);
  await transitionOrder(db, 'e2e-btc-trim', 'accepted', { at: at(1) });
  await fill('e2e-btc-trim', 'f-4', 'BTC', 'sell', 0.5, 51_000, 2.55);
  await transitionOrder(db, 'e2e-btc-trim', 'filled', { at: at(1) });
}
