import { describe, expect, it } from 'vitest';
import { compositeOf, type VenuePrice } from './composite.ts';

const at = (entries: Array<[string, number, number]>) =>
  new Map<string, VenuePrice>(entries.map(([v, price, ts]) => [v, { price, ts }]));

describe('compositeOf', () => {
  it('is the median of three venues whatever the third says', () => {
    for (const wild of [0, 0.5, 1.0005, 50, 1e9])
      expect(
        compositeOf(
          at([
            ['a', 1, 0],
            ['b', 1.001, 0],
            ['c', wild, 0],
          ]),
          undefined,
        )?.price,
      ).toBe(Math.min(Math.max(wild, 1), 1.001));
  });

  it('leaves out a venue whose last trade is over a minute older than the newest', () => {
    const c = compositeOf(
      at([
        ['a', 0.88, 0],
        ['b', 1, 61_000],
        ['c', 1.002, 61_000],
      ]),
      undefined,
    );
    expect(c?.venues).toEqual(['b', 'c']);
    expect(c?.price).toBe(1.001);
  });

  it('with two venues far apart keeps the one nearer the previous composite', () => {
    expect(
      compositeOf(
        at([
          ['a', 30_000, 0],
          ['b', 90_000, 0],
        ]),
        30_100,
      ),
    ).toEqual({ price: 30_000, ts: 0, venues: ['a'] });
    expect(
      compositeOf(
        at([
          ['a', 30_000, 0],
          ['b', 30_300, 0],
        ]),
        30_100,
      )?.price,
    ).toBe(30_150);
  });
});
