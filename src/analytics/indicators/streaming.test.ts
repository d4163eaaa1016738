/** Streaming classes return exactly (bit for bit) what the batch functions give, on real SPY bars. */

import { describe, expect, it } from 'vitest';
import { at } from '../../core/assert.ts';
import { loadSpyDaily } from '../testing/fixtures.ts';
import { Atr, atr } from './atr.ts';
import { Bollinger, bollinger } from './bollinger.ts';
import { Ema, ema } from './ema.ts';
import { Macd, macd } from './macd.ts';
import { Rsi, rsi } from './rsi.ts';
import { Sma, sma } from './sma.ts';
import { HistoricalVolatility, historicalVolatility } from './volatility.ts';

const spy = loadSpyDaily();

function expectSame(label: string, batch: Float64Array, stream: Array<number | null>): void {
  expect(stream.length).toBe(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const b = at(batch, i);
    const s = stream[i];
    if (Number.isNaN(b)) expect(s, `${label}[${i}] warm-up`).toBeNull();
    else expect(Object.is(s, b), `${label}[${i}]: stream ${s} vs batch ${b}`).toBe(true);
  }
}

function run<T>(values: Float64Array, update: (x: number) => T): T[] {
  return Array.from(values, update);
}

describe('streaming equals batch exactly (SPY daily, 5,241 bars)', () => {
  it('SMA, EMA, RSI, HV', () => {
    for (const p of [1, 2, 15, 50]) {
      const s = new Sma(p);
      expectSame(
        `sma ${p}`,
        sma(spy.close, p),
        run(spy.close, (x) => s.update(x)),
      );
      const e = new Ema(p);
      expectSame(
        `ema ${p}`,
        ema(spy.close, p),
        run(spy.close, (x) => e.update(x)),
      );
    }
    for (const p of [2, 14]) {
      const r = new Rsi(p);
      expectSame(
        `rsi ${p}`,
        rsi(spy.close, p),
        run(spy.close, (x) => r.update(x)),
      );
    }
    for (const w of [2, 20, 50]) {
      const h = new HistoricalVolatility(w, Math.sqrt(252));
      expectSame(
        `hv ${w}`,
        historicalVolatility(spy.close, w, Math.sqrt(252)),
        run(spy.close, (x) => h.update(x)),
      );
    }
  });

  it('MACD and Bollinger', () => {
    const m = new Macd();
    const stream = run(spy.close, (x) => m.update(x));
    const batch = macd(spy.close);
    expectSame(
      'macd',
      batch.macd,
      stream.map((v) => v?.macd ?? null),
    );
    expectSame(
      'signal',
      batch.signal,
      stream.map((v) => v?.signal ?? null),
    );
    expectSame(
      'hist',
      batch.hist,
      stream.map((v) => v?.hist ?? null),
    );
    const b = new Bollinger(20, 2);
    const bs = run(spy.close, (x) => b.update(x));
    const bb = bollinger(spy.close, 20, 2);
    expectSame(
      'upper',
      bb.upper,
      bs.map((v) => v?.upper ?? null),
    );
    expectSame(
      'middle',
      bb.middle,
      bs.map((v) => v?.middle ?? null),
    );
    expectSame(
      'lower',
      bb.lower,
      bs.map((v) => v?.lower ?? null),
    );
    // The middle band is the SMA, bit for bit.
    expectSame(
      'middle = sma',
      sma(spy.close, 20),
      Array.from(bb.middle, (x) => (Number.isNaN(x) ? null : x)),
    );
  });

  it('ATR', () => {
    const a = new Atr(14);
    const stream = Array.from(spy.close, (close, i) =>
      a.update({ high: at(spy.high, i), low: at(spy.low, i), close }),
    );
    expectSame('atr', atr(spy.high, spy.low, spy.close, 14), stream);
  });

  it('rejects bad input with the offending index', () => {
    expect(() => sma([1, 2, Number.NaN, 4], 2)).toThrow(/values\[2\] is NaN/);
    expect(() => new Ema(3).update(Number.POSITIVE_INFINITY)).toThrow(/not a finite number/);
    expect(() => sma([1, 2], 0)).toThrow(/period must be an integer/);
    expect(() => atr([1, 2], [1], [1, 2])).toThrow(/low has 1 values, expected 2/);
  });
});
