import { describe, expect, it } from 'vitest';
import { LookAheadError, runEngine } from './engine.ts';
import { buyAndHold } from './strategies/buy-and-hold.ts';
import { maCrossover } from './strategies/ma-crossover.ts';
import { seriesOf } from './testing/series.ts';
import type { BarColumns, OrderRequest, Strategy, StrategyAction } from './types.ts';

/** A strategy that places the given orders on given steps. */
function scripted(plan: Record<number, StrategyAction>): Strategy {
  return { name: 'scripted', params: {}, onBar: (ctx) => plan[ctx.step] };
}

const order = (o: OrderRequest): StrategyAction => ({ orders: [o] });

describe('buy-and-hold equals the price path', () => {
  const closes = [100, 102, 99, 105, 110, 108, 111];
  const opens = [100, 101, 101.5, 100, 106, 109, 107];
  const s = seriesOf('X', closes, { opens });

  it('next_open: equity / cash = close[k] / open[1] from bar 1 on', () => {
    const r = runEngine([s], buyAndHold(), { initialCash: 1000 });
    expect(r.equity[0]).toBe(1000);
    for (let k = 1; k < closes.length; k++) {
      expect(r.equity[k]).toBeCloseTo((1000 * (closes[k] ?? 0)) / 101, 9);
    }
    expect(r.fills).toHaveLength(1);
    expect(r.fills[0]?.ts).toBe(s.ts[1]);
  });

  it('same_close: equity / cash = close[k] / close[0]', () => {
    const r = runEngine([s], buyAndHold(), { initialCash: 1000, fill: 'same_close' });
    for (let k = 0; k < closes.length; k++)
      expect(r.equity[k]).toBeCloseTo((1000 * (closes[k] ?? 0)) / 100, 9);
  });

  it('next_close: fills at the close of the next bar', () => {
    const r = runEngine([s], buyAndHold(), { initialCash: 1000, fill: 'next_close' });
    expect(r.fills[0]?.price).toBe(102);
    expect(r.equity[6]).toBeCloseTo((1000 * 111) / 102, 9);
  });
});

describe('MA crossover on a tiny series (hand-computed)', () => {
  // fast = SMA2, slow = SMA3 of the closes:
  // k=3: SMA2 10.5 > SMA3 10.333 → long, fills at open[4] = 11.6
  // k=7: SMA2 11.5 < SMA3 12 → flat, fills at open[8] = 10.8
  const closes = [10, 10, 10, 11, 12, 13, 12, 11, 10, 9, 10];
  const opens = [10, 10, 10, 10.5, 11.6, 12.5, 13, 12.2, 10.8, 10, 9.5];
  it('enters at open[4], exits at open[8], P&L = 1000·(10.8/11.6 − 1)', () => {
    const s = seriesOf('X', closes, { opens });
    const r = runEngine([s], maCrossover({ fast: 2, slow: 3 }), { initialCash: 1000 });
    expect(r.fills.map((f) => [f.ts, f.side, f.price])).toEqual([
      [s.ts[4], 'buy', 11.6],
      [s.ts[8], 'sell', 10.8],
    ]);
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]?.pnl).toBeCloseTo(1000 * (10.8 / 11.6 - 1), 9);
    expect(r.equity[10]).toBeCloseTo((1000 * 10.8) / 11.6, 9);
    // While long, equity follows the close: bar 5 = q·13.
    expect(r.equity[5]).toBeCloseTo((1000 / 11.6) * 13, 9);
  });
});

describe('fees and slippage arithmetic', () => {
  it('buy 10 @100 and sell 10 @110 with 10 bps slippage, 5 bps + 1.00 fees', () => {
    const s = seriesOf('X', [100, 100, 110, 110], { opens: [100, 100, 110, 110] });
    const r = runEngine(
      [s],
      scripted({ 0: order({ symbol: 'X', qty: 10 }), 1: order({ symbol: 'X', qty: -10 }) }),
      {
        initialCash: 10_000,
        costs: { slippageBps: 10, feeBps: 5, feeFixed: 1 },
      },
    );
    // Buy: 100·1.001 = 100.1, fee 10·100.1·0.0005 + 1 = 1.5005.
    expect(r.fills[0]?.price).toBeCloseTo(100.1, 12);
    expect(r.fills[0]?.fee).toBeCloseTo(1.5005, 12);
    // Sell: 110·0.999 = 109.89, fee 1098.9·0.0005 + 1 = 1.54945.
    expect(r.fills[1]?.price).toBeCloseTo(109.89, 12);
    expect(r.fills[1]?.fee).toBeCloseTo(1.54945, 12);
    // Cash: 10000 − 1001 − 1.5005 + 1098.9 − 1.54945 = 10094.85005.
    expect(r.cash).toBeCloseTo(10_094.85005, 9);
    expect(r.trades[0]?.pnl).toBeCloseTo(94.85005, 9);
    expect(r.fees).toBeCloseTo(3.04995, 12);
  });

  it('an all-in target with costs does not overdraw cash', () => {
    const s = seriesOf('X', [100, 100, 100]);
    const r = runEngine([s], buyAndHold(), {
      initialCash: 1000,
      costs: { slippageBps: 20, feeBps: 10, feeFixed: 2 },
    });
    expect(r.cash).toBeGreaterThanOrEqual(-1e-9);
    expect(r.cash).toBeLessThan(1e-6);
  });
});

describe('no look-ahead', () => {
  it('asking for a future bar throws LookAheadError', () => {
    const peeker: Strategy = {
      name: 'peeker',
      params: {},
      onBar: (ctx) => {
        ctx.price('X', 'close', -1);
        return undefined;
      },
    };
    expect(() => runEngine([seriesOf('X', [1, 2, 3])], peeker)).toThrow(LookAheadError);
  });

  it('history ends at the current bar, and its buffer holds nothing beyond it', () => {
    const seen: Array<[number, number | undefined, number]> = [];
    const probe: Strategy = {
      name: 'probe',
      params: {},
      init: (ctx) => {
        expect(ctx.history('X', 'close', 10)).toHaveLength(0);
        expect(ctx.close('X')).toBeNaN();
      },
      onBar: (ctx) => {
        const h = ctx.history('X', 'close', 1000);
        // Not a view over the whole column: rebuilding an array on its buffer reveals no future bar.
        seen.push([h.length, h[h.length], new Float64Array(h.buffer).length]);
        return undefined;
      },
    };
    runEngine([seriesOf('X', [5, 6, 7, 8])], probe);
    expect(seen.map((s) => s[0])).toEqual([1, 2, 3, 4]);
    expect(seen.every((s) => s[1] === undefined)).toBe(true);
    expect(seen.map((s) => s[2])).toEqual([1, 2, 3, 4]);
  });

  it('decisions up to bar m do not change when bars after m change', () => {
    const base = Array.from({ length: 200 }, (_, k) => 100 + 10 * Math.sin(k / 7) + k * 0.05);
    const altered = base.map((c, k) => (k > 120 ? c * (1 + 0.3 * Math.cos(k)) : c));
    const run = (closes: number[]) => runEngine([seriesOf('X', closes)], maCrossover({ fast: 5, slow: 20 }));
    const a = run(base);
    const b = run(altered);
    const cut = seriesOf('X', base).ts[121] ?? 0;
    // Fills at or before bar 121 were decided on bars ≤ 120, identical in both runs.
    const upTo = (fills: typeof a.fills) => fills.filter((f) => f.ts <= cut);
    expect(upTo(b.fills)).toEqual(upTo(a.fills));
    expect(Array.from(b.equity.subarray(0, 121))).toEqual(Array.from(a.equity.subarray(0, 121)));
    expect(b.fills.length).toBeGreaterThan(upTo(b.fills).length);
  });
});

describe('limit and stop orders', () => {
  const bar = (o: number, h: number, l: number, c: number) => ({ o, h, l, c });
  const make = (bars: Array<{ o: number; h: number; l: number; c: number }>): BarColumns => ({
    symbol: 'X',
    ts: Float64Array.from(bars, (_, k) => k * 86_400_000),
    open: Float64Array.from(bars, (b) => b.o),
    high: Float64Array.from(bars, (b) => b.h),
    low: Float64Array.from(bars, (b) => b.l),
    close: Float64Array.from(bars, (b) => b.c),
  });

  it('buy limit fills at the limit when the low reaches it, at the open on a gap through it', () => {
    const s = make([bar(100, 100, 100, 100), bar(99, 99, 97, 98), bar(97, 98, 94, 96), bar(90, 91, 89, 90)]);
    const r1 = runEngine([s], scripted({ 0: order({ symbol: 'X', qty: 1, type: 'limit', price: 95 }) }));
    expect(r1.fills.map((f) => [f.ts, f.price])).toEqual([[s.ts[2], 95]]);
    const r2 = runEngine([s], scripted({ 2: order({ symbol: 'X', qty: 1, type: 'limit', price: 92 }) }));
    expect(r2.fills.map((f) => f.price)).toEqual([90]);
  });

  it('buy stop fills when the high reaches it; sell stop mirrors; ttl expires resting orders', () => {
    const s = make([
      bar(100, 100, 100, 100),
      bar(101, 103, 100, 102),
      bar(103, 106, 102, 105),
      bar(104, 104, 96, 97),
    ]);
    const r = runEngine([s], scripted({ 0: order({ symbol: 'X', qty: 1, type: 'stop', price: 105 }) }));
    expect(r.fills.map((f) => [f.ts, f.price])).toEqual([[s.ts[2], 105]]);
    const short = runEngine([s], scripted({ 0: order({ symbol: 'X', qty: -1, type: 'stop', price: 98 }) }));
    expect(short.fills.map((f) => [f.ts, f.side, f.price])).toEqual([[s.ts[3], 'sell', 98]]);
    const expired = runEngine(
      [s],
      scripted({ 0: order({ symbol: 'X', qty: 1, type: 'stop', price: 105, ttlBars: 1 }) }),
    );
    expect(expired.fills).toHaveLength(0);
  });
});

describe('risk controls', () => {
  it('stop-loss exits at avg·(1 − sl), or the open when it gaps below', () => {
    const s = seriesOf('X', [100, 100, 98, 93, 90], { opens: [100, 100, 99, 97, 91] });
    const r = runEngine([s], scripted({ 0: order({ symbol: 'X', qty: 10 }) }), { stopLoss: 0.05 });
    expect(r.fills.map((f) => [f.ts, f.reason, f.price])).toEqual([
      [s.ts[1], 'scripted', 100],
      [s.ts[3], 'stop_loss', 95],
    ]);
  });

  it('take-profit exits at avg·(1 + tp)', () => {
    const s = seriesOf('X', [100, 100, 104, 112], { opens: [100, 100, 101, 105] });
    const r = runEngine([s], scripted({ 0: order({ symbol: 'X', qty: 1 }) }), { takeProfit: 0.1 });
    expect(r.fills[1]).toMatchObject({ reason: 'take_profit', ts: s.ts[3] });
    expect(r.fills[1]?.price).toBeCloseTo(110, 9);
  });

  it('a drawdown limit flattens and stops calling the strategy', () => {
    const closes = [100, 100, 90, 75, 70, 80, 120];
    let calls = 0;
    const s: Strategy = {
      ...buyAndHold(),
      onBar: (ctx) => {
        calls++;
        return ctx.step === 0 ? { targets: { X: 1 } } : undefined;
      },
    };
    const r = runEngine([seriesOf('X', closes)], s, { maxDrawdown: 0.2, initialCash: 1000 });
    expect(r.halted?.ts).toBe(seriesOf('X', closes).ts[3]);
    expect(calls).toBe(3);
    expect(r.fills.at(-1)?.reason).toBe('drawdown_halt');
    expect(r.equity[6]).toBeCloseTo(r.equity[4] ?? 0, 9);
  });

  it('correlation-aware exposure scales targets of correlated assets', () => {
    const a = seriesOf('A', [10, 10, 10]);
    const b = seriesOf('B', [20, 20, 20]);
    const strat = scripted({ 0: { targets: { A: 1, B: 1 } } });
    const corr = [
      [1, 1],
      [1, 1],
    ];
    const r = runEngine([a, b], strat, {
      initialCash: 1000,
      exposureLimit: { symbols: ['A', 'B'], matrix: corr, max: 1 },
    });
    // √(wᵀCw) = 2 for w = (1, 1) and ρ = 1 → scaled by ½.
    expect(r.fills.map((f) => f.qty * f.price)).toEqual([500, 500]);
    const hedged = runEngine([a, b], scripted({ 0: { targets: { A: 1, B: -1 } } }), {
      initialCash: 1000,
      exposureLimit: { symbols: ['A', 'B'], matrix: corr, max: 1 },
    });
    expect(hedged.fills.map((f) => f.qty * f.price)).toEqual([1000, 1000]);
  });
});

describe('calendars come from the data', () => {
  it('an equity order placed on Friday fills on Monday while crypto trades every day', () => {
    const fri = Date.UTC(2024, 0, 5);
    const day = 86_400_000;
    const crypto = seriesOf('BTC', [40, 41, 42, 43, 44], { start: fri });
    const equity = seriesOf('SPY', [470, 475], { ts: [fri, fri + 3 * day], opens: [470, 472] });
    const r = runEngine([crypto, equity], scripted({ 0: { targets: { SPY: 0.5, BTC: 0.5 } } }), {
      initialCash: 1000,
    });
    expect(r.ts).toHaveLength(5);
    expect(r.fills.map((f) => [f.symbol, f.ts])).toEqual([
      ['BTC', fri + day],
      ['SPY', fri + 3 * day],
    ]);
  });
});
