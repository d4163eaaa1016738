import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../core/time.ts';
import { seededRandom } from '../../sources/testing/loopback.ts';
import { lastAtOrBefore } from './supply.ts';

describe('lastAtOrBefore (the supply feed’s day-before total)', () => {
  it('finds what a search from the end of the sorted totals finds, ties and gaps included', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 200; trial++) {
      // daily totals with gaps and repeated days (a stored row and a loaded one of the same day)
      const rows: { ts: number; id: number }[] = [];
      let day = 0;
      const n = Math.floor(random() * 40);
      for (let i = 0; i < n; i++) {
        day += Math.floor(random() * 3);
        rows.push({ ts: day * DAY_MS + (random() < 0.2 ? 1 : 0), id: i });
      }
      const sorted = rows.sort((a, b) => a.ts - b.ts);
      const at = lastAtOrBefore(sorted);
      for (let q = -2; q <= day + 2; q++) {
        for (const ts of [q * DAY_MS - 1, q * DAY_MS, q * DAY_MS + 1]) {
          const expected = [...sorted].reverse().find((r) => r.ts <= ts);
          expect(at(ts), `trial ${trial}, ${sorted.length} rows, at or before ${ts}`).toBe(expected);
        }
      }
    }
  });
  it('is undefined before the first total and on no totals', () => {
    expect(lastAtOrBefore([{ ts: DAY_MS }])(DAY_MS - 1)).toBeUndefined();
    expect(lastAtOrBefore([])(DAY_MS)).toBeUndefined();
  });
});
