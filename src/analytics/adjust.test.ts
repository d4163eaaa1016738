import { describe, expect, it } from 'vitest';
import type { Bar } from '../core/types.ts';
import { adjustBars, adjustColumns, adjustmentFactors } from './adjust.ts';

const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
const bar = (d: string, close: number, volume = 1000): Bar => ({
  ts: day(d),
  open: close,
  high: close,
  low: close,
  close,
  volume,
});

// A 10-for-1 split on 2024-06-10: 1000 → 100 as traded (the shape of NVDA's 2024-06-10 split).
const bars = [
  bar('2024-06-06', 1200),
  bar('2024-06-07', 1000),
  bar('2024-06-10', 100),
  bar('2024-06-11', 101),
];
const split = { splits: [{ exDate: '2024-06-10', splitFrom: 1, splitTo: 10 }], dividends: [] };

const returns = (xs: Bar[]) => xs.slice(1).map((b, i) => b.close / (xs[i]?.close ?? Number.NaN) - 1);

describe('adjustBars: a 10:1 split', () => {
  it('shows as a −90 % day in raw mode', () => {
    expect(returns(adjustBars(bars, split, 'raw'))[1]).toBeCloseTo(-0.9, 12);
  });

  for (const mode of ['split', 'adjusted'] as const) {
    it(`is no −90 % day in ${mode} mode and the latest price stays as traded`, () => {
      const out = adjustBars(bars, split, mode);
      const r = returns(out);
      expect(Math.min(...r)).toBeGreaterThan(-0.2);
      expect(out.map((b) => b.close)).toEqual([120, 100, 100, 101]);
      expect(out[0]?.volume).toBe(10_000); // 1000 old shares = 10 000 new ones
      expect(out.at(-1)?.close).toBe(101);
    });
  }

  it('in total-return mode starts at the first traded price', () => {
    const out = adjustBars(bars, split, 'total-return');
    expect(out[0]?.close).toBe(1200);
    expect(out.at(-1)?.close).toBeCloseTo(1010, 9); // one original share = 10 new ones at 101
  });

  it('does not change its input', () => {
    adjustBars(bars, split, 'split');
    expect(bars[0]?.close).toBe(1200);
  });
});

describe('adjustBars: cash dividends', () => {
  // $1 dividend ex 2024-02-09 after a $100 close: earlier prices × (1 − 1/100) = 0.99 (CRSP method).
  const divBars = [
    bar('2024-02-07', 100),
    bar('2024-02-08', 100),
    bar('2024-02-09', 99),
    bar('2024-02-12', 99),
  ];
  const div = { splits: [], dividends: [{ exDate: '2024-02-09', amount: 1 }] };

  it('split mode ignores them', () => {
    expect(adjustBars(divBars, div, 'split').map((b) => b.close)).toEqual([100, 100, 99, 99]);
  });

  it('adjusted mode scales earlier prices by 1 − D / previous close', () => {
    const out = adjustBars(divBars, div, 'adjusted').map((b) => b.close);
    expect(out[0]).toBeCloseTo(99, 12);
    expect(out[2]).toBe(99);
    expect(returns(adjustBars(divBars, div, 'adjusted'))[1]).toBeCloseTo(0, 12);
  });

  it('total-return has the adjusted returns, anchored at the first close', () => {
    const tr = adjustBars(divBars, div, 'total-return');
    expect(tr[0]?.close).toBe(100);
    expect(tr.at(-1)?.close).toBeCloseTo(100, 9); // price drop fully offset by the reinvested dividend
  });

  it('ignores a dividend with no bar before its ex-date', () => {
    const f = adjustmentFactors(
      divBars,
      { splits: [], dividends: [{ exDate: '2024-01-01', amount: 5 }] },
      'adjusted',
    );
    expect([...f.price]).toEqual([1, 1, 1, 1]);
  });
});

describe('adjustBars keeps extra fields', () => {
  it('a stored bar keeps its symbol and source', () => {
    const stored = bars.map((b) => ({ ...b, symbol: 'NVDA', source: 'polygon' }));
    const out = adjustBars(stored, split, 'split');
    expect(out[0]).toMatchObject({ symbol: 'NVDA', source: 'polygon', close: 120 });
  });
});

describe('adjustColumns', () => {
  it('agrees with adjustBars', () => {
    const col = (k: keyof Bar) => Float64Array.from(bars.map((b) => b[k]));
    const cols = {
      ts: col('ts'),
      open: col('open'),
      high: col('high'),
      low: col('low'),
      close: col('close'),
      volume: col('volume'),
    };
    const out = adjustColumns(cols, split, 'adjusted');
    expect([...out.close]).toEqual(adjustBars(bars, split, 'adjusted').map((b) => b.close));
    expect([...out.volume]).toEqual(adjustBars(bars, split, 'adjusted').map((b) => b.volume));
    expect(cols.close[0]).toBe(1200);
  });
});
