import { describe, expect, it } from 'vitest';
import { checkOrder, haltState, type RiskLimits, type RiskOrder, type RiskState } from './risk.ts';

const OFF: RiskLimits = {
  maxOrderNotional: 0,
  maxPositionNotional: 0,
  maxGrossExposure: 0,
  maxDailyLoss: 0,
  haltOnDepeg: true,
};
const state = (over: Partial<RiskState> = {}): RiskState => ({
  positions: new Map(),
  marks: new Map(),
  dailyPnl: 0,
  depegged: new Set(),
  quoteCurrency: 'USD',
  ...over,
});
const buy = (qty: number, price = 100, symbol = 'SPY'): RiskOrder => ({ symbol, side: 'buy', qty, price });
const sell = (qty: number, price = 100, symbol = 'SPY'): RiskOrder => ({ symbol, side: 'sell', qty, price });
const rule = (v: ReturnType<typeof checkOrder>) => (v.allowed ? 'ok' : v.rule);

describe('pre-trade risk: each limit refuses exactly what it should', () => {
  it('limits at 0 are off', () => {
    expect(rule(checkOrder(buy(1e9), state(), OFF))).toBe('ok');
  });

  it('max_order_notional: 10 × 100 = 1000 passes at a 1000 limit, 10.01 × 100 does not', () => {
    const lim = { ...OFF, maxOrderNotional: 1000 };
    expect(rule(checkOrder(buy(10), state(), lim))).toBe('ok');
    expect(rule(checkOrder(buy(9.99), state(), lim))).toBe('ok');
    expect(rule(checkOrder(buy(10.01), state(), lim))).toBe('max_order_notional');
    expect(rule(checkOrder(sell(10.01), state(), lim))).toBe('max_order_notional');
  });

  it('max_position_notional: counts the position after the order; reducing passes', () => {
    const lim = { ...OFF, maxPositionNotional: 5000 };
    const s = state({ positions: new Map([['SPY', 40]]) });
    // 40 + 10 = 50 × 100 = 5000: on the limit
    expect(rule(checkOrder(buy(10), s, lim))).toBe('ok');
    expect(rule(checkOrder(buy(10.5), s, lim))).toBe('max_position_notional');
    // short side: −40 − 10 = −50 passes, −51 does not
    const short = state({ positions: new Map([['SPY', -40]]) });
    expect(rule(checkOrder(sell(10), short, lim))).toBe('ok');
    expect(rule(checkOrder(sell(11), short, lim))).toBe('max_position_notional');
    // already over (60 × 100 = 6000): selling 5 leaves 5500 > 5000 but reduces, so it passes
    const over = state({ positions: new Map([['SPY', 60]]) });
    expect(rule(checkOrder(sell(5), over, lim))).toBe('ok');
    expect(rule(checkOrder(buy(1), over, lim))).toBe('max_position_notional');
  });

  it('max_gross_exposure: sum of |position| at marks after the order', () => {
    const lim = { ...OFF, maxGrossExposure: 10_000 };
    // BTC −0.1 at 40 000 = 4000 gross; SPY order at 100
    const s = state({ positions: new Map([['BTC', -0.1]]), marks: new Map([['BTC', 40_000]]) });
    expect(rule(checkOrder(buy(60), s, lim))).toBe('ok'); // 4000 + 6000 = 10 000
    expect(rule(checkOrder(buy(60.5), s, lim))).toBe('max_gross_exposure');
    // gross 14 000 > limit: buying back BTC lowers it to 12 000 (passes), selling more raises it to 16 000
    const big = state({
      positions: new Map([
        ['BTC', -0.1],
        ['SPY', 100],
      ]),
      marks: new Map([
        ['BTC', 40_000],
        ['SPY', 100],
      ]),
    });
    expect(rule(checkOrder(buy(0.05, 40_000, 'BTC'), big, lim))).toBe('ok');
    expect(rule(checkOrder(sell(0.05, 40_000, 'BTC'), big, lim))).toBe('max_gross_exposure');
  });

  it('max_daily_loss: a loss reaching the limit refuses new exposure, one just short does not', () => {
    const lim = { ...OFF, maxDailyLoss: 500 };
    expect(rule(checkOrder(buy(1), state({ dailyPnl: -499.99 }), lim))).toBe('ok');
    // flat: any order opens a position
    expect(rule(checkOrder(buy(1), state({ dailyPnl: -500 }), lim))).toBe('max_daily_loss');
    expect(rule(checkOrder(sell(1), state({ dailyPnl: -900 }), lim))).toBe('max_daily_loss');
    expect(rule(checkOrder(buy(1), state({ dailyPnl: 1e6 }), lim))).toBe('ok');
  });

  describe('max_daily_loss is a reducing state (NautilusTrader TradingState.REDUCING)', () => {
    const lim = { ...OFF, maxDailyLoss: 500 };
    const long = state({ dailyPnl: -600, positions: new Map([['SPY', 10]]) });
    const short = state({ dailyPnl: -600, positions: new Map([['SPY', -10]]) });

    it('after a breach, orders that only bring a position toward zero pass; the reason is in the verdict', () => {
      expect(rule(checkOrder(sell(4), long, lim))).toBe('ok'); // 10 → 6
      expect(rule(checkOrder(sell(10), long, lim))).toBe('ok'); // 10 → 0, exactly flat
      expect(rule(checkOrder(buy(4), short, lim))).toBe('ok'); // −10 → −6
      expect(rule(checkOrder(buy(10), short, lim))).toBe('ok'); // −10 → 0
      const v = checkOrder(sell(10), long, lim);
      expect(v).toMatchObject({
        allowed: true,
        reduceOnly: { rule: 'max_daily_loss', message: 'loss today 600.00 reached 500' },
        detail: { position_after: 0, daily_pnl: -600 },
      });
      expect(v.detail.reduce_only).toBe(
        'reduces SPY 10 → 0 after max_daily_loss (loss today 600.00 reached 500)',
      );
    });

    it('orders that open, increase or flip a position are refused with max_daily_loss', () => {
      expect(rule(checkOrder(buy(1), long, lim))).toBe('max_daily_loss'); // 10 → 11
      expect(rule(checkOrder(sell(1), short, lim))).toBe('max_daily_loss'); // −10 → −11
      expect(rule(checkOrder(sell(11), long, lim))).toBe('max_daily_loss'); // 10 → −1: a flip
      expect(rule(checkOrder(buy(25), short, lim))).toBe('max_daily_loss'); // −10 → 15: a flip
      expect(rule(checkOrder(buy(1, 100, 'QQQ'), long, lim))).toBe('max_daily_loss'); // another symbol, flat
    });

    it('a reducing order still meets the other rules (order notional, depeg)', () => {
      expect(rule(checkOrder(sell(10), long, { ...lim, maxOrderNotional: 500 }))).toBe('max_order_notional');
      const depeg = state({ ...long, depegged: new Set(['USDT']), quoteCurrency: 'USDT' });
      expect(rule(checkOrder(sell(10), depeg, lim))).toBe('halt_on_depeg');
    });

    it('the halt a breach leaves (reducing) lets exits through on a later day, when the loss no longer counts', () => {
      const halted = state({
        dailyPnl: 0,
        positions: new Map([['SPY', 10]]),
        halt: { scope: 'strategy:s', reason: 'loss today 600.00 reached 500', reducing: true },
      });
      // even with the limit switched off since, the stored halt keeps the strategy reducing until resumed
      expect(checkOrder(sell(10), halted, OFF)).toMatchObject({
        allowed: true,
        reduceOnly: { message: 'halted for new exposure (strategy:s): loss today 600.00 reached 500' },
      });
      expect(checkOrder(buy(1), halted, OFF)).toMatchObject({
        allowed: false,
        rule: 'max_daily_loss',
        message: 'halted for new exposure (strategy:s): loss today 600.00 reached 500',
      });
    });

    it('haltState: only the daily-loss halt of a strategy is reducing; trade halt and global halts are total', () => {
      expect(haltState({ scope: 'strategy:s', reason: 'r', kind: 'daily_loss' }).reducing).toBe(true);
      expect(haltState({ scope: 'strategy:s', reason: 'r', kind: 'manual' }).reducing).toBe(false);
      expect(haltState({ scope: 'global', reason: 'r', kind: 'daily_loss' }).reducing).toBe(false);
    });
  });

  it('halt_on_depeg: an open depeg on the quote currency, a held coin or the order symbol refuses', () => {
    const depegged = new Set(['USDT']);
    expect(rule(checkOrder(buy(1), state({ depegged, quoteCurrency: 'USDT' }), OFF))).toBe('halt_on_depeg');
    expect(rule(checkOrder(buy(1), state({ depegged, positions: new Map([['USDT', 10]]) }), OFF))).toBe(
      'halt_on_depeg',
    );
    expect(rule(checkOrder(buy(1, 1, 'USDT'), state({ depegged }), OFF))).toBe('halt_on_depeg');
    // not held (flat), not quoted in, not traded: passes
    expect(rule(checkOrder(buy(1), state({ depegged, positions: new Map([['USDT', 0]]) }), OFF))).toBe('ok');
    expect(
      rule(checkOrder(buy(1), state({ depegged, quoteCurrency: 'USDT' }), { ...OFF, haltOnDepeg: false })),
    ).toBe('ok');
  });

  it('the manual kill switch refuses everything, exits included, and comes first', () => {
    const halt = { scope: 'global', reason: 'manual' };
    const long = state({ halt, dailyPnl: -600, positions: new Map([['SPY', 10]]) });
    expect(rule(checkOrder(sell(10), long, { ...OFF, maxDailyLoss: 500 }))).toBe('kill_switch');
    expect(rule(checkOrder(sell(10), { ...long, halt: { ...halt, reducing: false } }, OFF))).toBe(
      'kill_switch',
    );
    const v = checkOrder(buy(1e9), state({ halt: { scope: 'global', reason: 'manual' } }), {
      ...OFF,
      maxOrderNotional: 1,
    });
    expect(v).toMatchObject({
      allowed: false,
      rule: 'kill_switch',
      message: 'trading halted (global): manual',
    });
  });
});
