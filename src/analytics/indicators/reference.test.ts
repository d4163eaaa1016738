/**
 * Every indicator against a from-the-definition reference (TA-Lib's definitions, recomputed window by window
 * with no running state) on 5,241 real SPY daily bars (pandas-ta, MIT), to 1e-9 relative.
 */

import { describe, expect, it } from 'vitest';
import { at } from '../../core/assert.ts';
import { loadSpyDaily } from '../testing/fixtures.ts';
import { atr } from './atr.ts';
import { bollinger } from './bollinger.ts';
import { ema } from './ema.ts';
import { macd } from './macd.ts';
import { rsi } from './rsi.ts';
import { sma } from './sma.ts';
import { ANNUALIZATION, historicalVolatility } from './volatility.ts';

const spy = loadSpyDaily();
const c = Array.from(spy.close);

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
function refSma(xs: number[], p: number): number[] {
  return xs.map((_, i) => (i < p - 1 ? Number.NaN : mean(xs.slice(i - p + 1, i + 1))));
}
/** EMA seeded with the mean of xs[from … from+p−1] (TA-Lib), NaN before. */
function refEma(xs: number[], p: number, from = 0): number[] {
  const k = 2 / (p + 1);
  const out: number[] = xs.map(() => Number.NaN);
  let e = mean(xs.slice(from, from + p));
  out[from + p - 1] = e;
  for (let i = from + p; i < xs.length; i++) {
    e = e + k * (at(xs, i) - e);
    out[i] = e;
  }
  return out;
}
function refRsi(xs: number[], p: number): number[] {
  const out: number[] = xs.map(() => Number.NaN);
  const ch = xs.map((x, i) => (i === 0 ? 0 : x - at(xs, i - 1)));
  let g = mean(ch.slice(1, p + 1).map((d) => Math.max(d, 0)));
  let l = mean(ch.slice(1, p + 1).map((d) => Math.max(-d, 0)));
  out[p] = (100 * g) / (g + l);
  for (let i = p + 1; i < xs.length; i++) {
    const d = at(ch, i);
    g = (g * (p - 1) + Math.max(d, 0)) / p;
    l = (l * (p - 1) + Math.max(-d, 0)) / p;
    out[i] = 100 - 100 / (1 + g / l);
  }
  return out;
}
function stdev(xs: number[], ddof: number): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - ddof));
}

function expectClose(label: string, ours: Float64Array, ref: number[], from: number, floor = 1e-6): void {
  expect(ours.length).toBe(ref.length);
  for (let i = 0; i < from; i++) expect(Number.isNaN(ours[i]), `${label}[${i}] is warm-up NaN`).toBe(true);
  let worst = 0;
  for (let i = from; i < ref.length; i++) {
    const want = at(ref, i);
    const rel = Math.abs(at(ours, i) - want) / Math.max(Math.abs(want), floor);
    if (rel > worst) worst = rel;
  }
  expect(worst, `${label}: worst relative error`).toBeLessThanOrEqual(1e-9);
}

describe('indicators equal TA-Lib definitions on real SPY closes to 1e-9 relative', () => {
  it('SMA(15/30/50) and EMA(12/20)', () => {
    for (const p of [15, 30, 50]) expectClose(`sma ${p}`, sma(spy.close, p), refSma(c, p), p - 1);
    for (const p of [12, 20]) expectClose(`ema ${p}`, ema(spy.close, p), refEma(c, p), p - 1);
  });

  it('Wilder RSI(14)', () => {
    expectClose('rsi 14', rsi(spy.close, 14), refRsi(c, 14), 14);
  });

  it('MACD(12, 26, 9) with TA-Lib seeding', () => {
    const fast = refEma(c, 12, 26 - 12);
    const slow = refEma(c, 26);
    const line = c.map((_, i) => (i < 25 ? Number.NaN : at(fast, i) - at(slow, i)));
    const signal = refEma(line, 9, 25);
    const hist = line.map((x, i) => x - at(signal, i));
    const out = macd(spy.close);
    // Values pass through zero: relative to max(|v|, 1e-3 of a ~$100 price), i.e. 1e-12 absolute near 0.
    expectClose(
      'macd',
      out.macd,
      line.map((x, i) => (i < 33 ? Number.NaN : x)),
      33,
      1e-3,
    );
    expectClose('signal', out.signal, signal, 33, 1e-3);
    expectClose('hist', out.hist, hist, 33, 1e-3);
  });

  it('Bollinger(20, 2σ population)', () => {
    const mid = refSma(c, 20);
    const sd = c.map((_, i) => (i < 19 ? Number.NaN : stdev(c.slice(i - 19, i + 1), 0)));
    const b = bollinger(spy.close, 20, 2);
    expectClose('middle', b.middle, mid, 19);
    expectClose(
      'upper',
      b.upper,
      mid.map((m, i) => m + 2 * at(sd, i)),
      19,
    );
    expectClose(
      'lower',
      b.lower,
      mid.map((m, i) => m - 2 * at(sd, i)),
      19,
    );
  });

  it('ATR(14, Wilder)', () => {
    const tr = c.map((_, i) =>
      i === 0
        ? Number.NaN
        : Math.max(
            at(spy.high, i) - at(spy.low, i),
            Math.abs(at(spy.high, i) - at(c, i - 1)),
            Math.abs(at(spy.low, i) - at(c, i - 1)),
          ),
    );
    const ref: number[] = c.map(() => Number.NaN);
    let a = mean(tr.slice(1, 15));
    ref[14] = a;
    for (let i = 15; i < c.length; i++) {
      a = (a * 13 + at(tr, i)) / 14;
      ref[i] = a;
    }
    expectClose('atr 14', atr(spy.high, spy.low, spy.close, 14), ref, 14);
  });

  it('historical volatility 20/50: sample σ of log returns × √252', () => {
    const r = c.map((x, i) => (i === 0 ? Number.NaN : Math.log(x / at(c, i - 1))));
    for (const w of [20, 50]) {
      const ref = c.map((_, i) =>
        i < w ? Number.NaN : stdev(r.slice(i - w + 1, i + 1), 1) * Math.sqrt(252),
      );
      expectClose(`hv ${w}`, historicalVolatility(spy.close, w, ANNUALIZATION.equityDaily), ref, w);
    }
  });
});
