import { describe, expect, it } from 'vitest';
import { at } from '../core/assert.ts';
import {
  correlationMatrix,
  matrixPairs,
  type PriceSeries,
  validateCorrelationMatrix,
} from './correlation.ts';
import { loadSpyDaily } from './testing/fixtures.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random walks with a common factor, so correlations spread over (−1, 1). */
function walks(
  seed: number,
  assets: number,
  days: number,
  dropWeekends = (_a: number) => false,
): PriceSeries[] {
  const rnd = mulberry32(seed);
  const common = Array.from({ length: days }, () => rnd() - 0.5);
  return Array.from({ length: assets }, (_, a) => {
    const beta = rnd() * 2 - 1;
    const ts: number[] = [];
    const prices: number[] = [];
    let p = 100;
    for (let d = 0; d < days; d++) {
      p *= Math.exp(0.02 * (beta * at(common, d) + (rnd() - 0.5)));
      const t = T0 + d * DAY;
      const dow = new Date(t).getUTCDay();
      if (dropWeekends(a) && (dow === 0 || dow === 6)) continue;
      ts.push(t);
      prices.push(p);
    }
    return {
      symbol: `A${String(a).padStart(3, '0')}`,
      ts: Float64Array.from(ts),
      prices: Float64Array.from(prices),
    };
  });
}

function naivePearson(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  x.forEach((xi, i) => {
    sxy += (xi - mx) * (at(y, i) - my);
    sxx += (xi - mx) ** 2;
    syy += (at(y, i) - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

describe('correlation matrix properties (seeded random walks)', () => {
  it('is symmetric with a unit diagonal and values in [−1, 1], for every seed and window', () => {
    for (const seed of [1, 2, 3, 42]) {
      const series = walks(seed, 12, 400, (a) => a % 3 === 0);
      for (const windowDays of [30, 90, 365]) {
        const m = correlationMatrix(series, { windowDays, asOf: T0 + 399 * DAY });
        expect(validateCorrelationMatrix(m), `seed ${seed} window ${windowDays}`).toEqual([]);
        const n = m.symbols.length;
        for (let a = 0; a < n; a++) {
          expect(m.values[a * n + a]).toBe(1);
          for (let b = 0; b < n; b++) expect(Object.is(m.values[a * n + b], m.values[b * n + a])).toBe(true);
        }
      }
    }
  });

  it('validation reports a broken matrix', () => {
    const m = correlationMatrix(walks(5, 3, 100), { windowDays: 90, asOf: T0 + 99 * DAY });
    m.values[1] = 1.5;
    m.values[8] = 0.9;
    expect(validateCorrelationMatrix(m)).toEqual([
      'A000/A001 = 1.5 is outside [-1, 1]',
      expect.stringMatching(/A000\/A001 is not symmetric/),
      'diagonal A002 is 0.9, expected 1',
    ]);
  });
});

describe('Pearson on log returns of time-aligned prices', () => {
  it('equals a naive two-pass Pearson on real SPY vs a shifted copy of itself', () => {
    const spy = loadSpyDaily();
    const n = 300;
    const a = { symbol: 'SPY', ts: spy.ts.slice(0, n), prices: spy.close.slice(0, n) };
    const b = { symbol: 'LAG', ts: spy.ts.slice(0, n), prices: spy.close.slice(1, n + 1) };
    const asOf = at(spy.ts, n - 1);
    const m = correlationMatrix([a, b], { windowDays: 365, asOf });
    const inWindow = Array.from(a.ts).filter((t) => t >= asOf - 365 * DAY).length;
    const ra: number[] = [];
    const rb: number[] = [];
    for (let i = n - inWindow + 1; i < n; i++) {
      ra.push(Math.log(at(a.prices, i) / at(a.prices, i - 1)));
      rb.push(Math.log(at(b.prices, i) / at(b.prices, i - 1)));
    }
    expect(m.points[1]).toBe(inWindow - 1);
    expect(Math.abs(at(m.values, 1) - naivePearson(ra, rb))).toBeLessThan(1e-12);
  });

  it('inner-joins different calendars (weekday equity vs 24/7 crypto) and returns the same as the joined series', () => {
    const [crypto, equity] = walks(7, 2, 120, (a) => a === 1);
    if (!crypto || !equity) throw new Error('no series');
    const asOf = T0 + 119 * DAY;
    const m = correlationMatrix([crypto, equity], { windowDays: 90, asOf });
    // Reference: keep crypto only on the equity's days.
    const keep = new Set(Array.from(equity.ts));
    const idx = Array.from({ length: crypto.ts.length }, (_, i) => i).filter((i) =>
      keep.has(at(crypto.ts, i)),
    );
    const joined = {
      symbol: 'J',
      ts: idx.map((i) => at(crypto.ts, i)),
      prices: idx.map((i) => at(crypto.prices, i)),
    };
    const ref = correlationMatrix([joined, equity], { windowDays: 90, asOf });
    expect(m.points[1]).toBe(ref.points[1]);
    expect(Math.abs(at(m.values, 1) - at(ref.values, 1))).toBeLessThan(1e-12);
    // With forward-fill the equity's weekend is carried: one return per calendar day.
    const ff = correlationMatrix([crypto, equity], { windowDays: 90, asOf, forwardFill: true });
    expect(ff.points[1]).toBe(90);
  });

  it('gives no value below 20 aligned returns, or for a flat price', () => {
    const series = walks(9, 2, 60);
    const short = correlationMatrix(series, { windowDays: 19, asOf: T0 + 59 * DAY });
    expect(short.points[1]).toBe(19);
    expect(matrixPairs(short)[0]?.correlation).toBeNull();
    const ok = correlationMatrix(series, { windowDays: 20, asOf: T0 + 59 * DAY });
    expect(ok.points[1]).toBe(20);
    expect(matrixPairs(ok)[0]?.correlation).not.toBeNull();
    const flat = { symbol: 'FLAT', ts: series[0]?.ts ?? [], prices: new Float64Array(60).fill(1) };
    expect(
      matrixPairs(correlationMatrix([flat, ...series], { windowDays: 50, asOf: T0 + 59 * DAY }))[0]
        ?.correlation,
    ).toBeNull();
  });

  it('orders stored pairs with asset_1 < asset_2 and rejects non-positive prices', () => {
    const [a, b] = walks(3, 2, 40);
    if (!a || !b) throw new Error('no series');
    const pairs = matrixPairs(
      correlationMatrix(
        [
          { ...b, symbol: 'ZZZ' },
          { ...a, symbol: 'AAA' },
        ],
        { windowDays: 40, asOf: T0 + 39 * DAY },
      ),
    );
    expect(pairs.map((p) => [p.asset_1, p.asset_2])).toEqual([['AAA', 'ZZZ']]);
    const bad = { ...a, prices: Float64Array.from(a.prices, (p, i) => (i === 30 ? 0 : p)) };
    expect(() => correlationMatrix([bad, b], { windowDays: 40, asOf: T0 + 39 * DAY })).toThrow(
      /price 0 at .* is not > 0/,
    );
  });
});
