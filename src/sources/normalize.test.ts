import { describe, expect, it } from 'vitest';
import type { Bar } from '../core/types.ts';
import { barEnd, dailyKey, normalizeBars, splitRange } from './normalize.ts';

const bar = (ts: number, close = 1): Bar => ({ ts, open: 1, high: 1, low: 1, close, volume: 0 });

describe('normalizeBars', () => {
  it('sorts, keeps the last of duplicates and cuts to the half-open range', () => {
    const out = normalizeBars([bar(3), bar(1), bar(2, 5), bar(2, 7), bar(9)], { from: 1, to: 9 });
    expect(out.map((b) => [b.ts, b.close])).toEqual([
      [1, 1],
      [2, 7],
      [3, 1],
    ]);
  });
});

describe('dailyKey', () => {
  it('keys by the trading date in the venue zone', () => {
    // Polygon stamps 2005-04-01 at 05:00Z (midnight New York); Yahoo FX at 23:00Z the day before in London summer.
    expect(dailyKey(Date.UTC(2005, 3, 1, 5), 'America/New_York')).toBe(Date.UTC(2005, 3, 1));
    expect(dailyKey(Date.UTC(2020, 5, 1, 23), 'Europe/London')).toBe(Date.UTC(2020, 5, 2));
    expect(dailyKey(Date.UTC(2020, 5, 1, 23), 'UTC')).toBe(Date.UTC(2020, 5, 1));
  });
});

describe('barEnd', () => {
  it('ends a NYSE daily bar at the session close and others after one interval', () => {
    // 2024-01-02 is a Tuesday; the NYSE closes 16:00 New York = 21:00Z in winter.
    expect(barEnd('equity', '1d', Date.UTC(2024, 0, 2))).toBe(Date.UTC(2024, 0, 2, 21));
    expect(barEnd('crypto', '1d', Date.UTC(2024, 0, 2))).toBe(Date.UTC(2024, 0, 3));
    expect(barEnd('equity', '1h', Date.UTC(2024, 0, 2, 15))).toBe(Date.UTC(2024, 0, 2, 16));
  });
});

describe('splitRange', () => {
  it('splits into consecutive chunks', () => {
    expect(splitRange({ from: 0, to: 25 }, 10)).toEqual([
      { from: 0, to: 10 },
      { from: 10, to: 20 },
      { from: 20, to: 25 },
    ]);
    expect(splitRange({ from: 5, to: 5 }, 10)).toEqual([]);
  });
});
