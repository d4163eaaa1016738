import { describe, expect, it } from 'vitest';
import { checkOrder, type RiskLimits, type RiskOrder, type RiskState } from './risk.ts';

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

  it('max_daily_loss: a loss reaching the limit refuses every order, one just short does not', () => {
    const lim = { ...OFF, maxDailyLoss: 500 };
    expect(rule(checkOrder(buy(1), state({ dailyPnl: -499.99 }), lim))).toBe('ok');
    expect(rule(checkOrder(buy(1), state({ dailyPnl: -500 }), lim))).toBe('max_daily_loss');
    expect(rule(checkOrder(sell(1), state({ dailyPnl: -900 }), lim))).toBe('max_daily_loss');
    expect(rule(checkOrder(buy(1), state({ dailyPnl: 1e6 }), lim))).toBe('ok');
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

  it('the kill switch refuses everything and comes first', () => {
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
