import { describe, expect, it } from 'vitest';
import { unrealizedToday } from './pnl-today.ts';

// Every expected value below is computed by hand from the inputs, as written in each comment.
describe('unrealised P&L since 00:00 UTC of one position', () => {
  it('held over midnight with no fill today: qty × (mark − close before midnight)', () => {
    // bought 2 @ 150 days ago, close before midnight 200, mark 230: 2 × (230 − 200) = 60 (since entry: 160)
    expect(unrealizedToday({ qty: 2, avgPrice: 150, mark: 230 }, 200, [])).toBe(60);
  });

  it('opened today: qty × (mark − fill prices), the close before midnight plays no part', () => {
    // buy 1 @ 48,000 and 1 @ 49,000 today → reference 48,500; mark 50,000: 2 × 1,500 = 3,000
    const fills = [
      { side: 'buy' as const, qty: 1, price: 48_000 },
      { side: 'buy' as const, qty: 1, price: 49_000 },
    ];
    expect(unrealizedToday({ qty: 2, avgPrice: 48_500, mark: 50_000 }, 47_000, fills)).toBe(3_000);
  });

  it('held part from the close before midnight, added part from its fill price', () => {
    // 2 held at midnight (close 200) + 1 bought today @ 220 → reference (2 × 200 + 220) / 3;
    // 3 × (230 − 620/3) = 690 − 620 = 70, i.e. 2 × 30 + 1 × 10
    const v = unrealizedToday({ qty: 3, avgPrice: 520 / 3, mark: 230 }, 200, [
      { side: 'buy', qty: 1, price: 220 },
    ]);
    expect(v).toBeCloseTo(70, 9);
  });

  it('reduced today: the rest keeps the close before midnight as reference', () => {
    // 5 held at midnight (close 100), sold 3 today @ 110 → 2 left; mark 104: 2 × (104 − 100) = 8
    expect(
      unrealizedToday({ qty: 2, avgPrice: 90, mark: 104 }, 100, [{ side: 'sell', qty: 3, price: 110 }]),
    ).toBe(8);
  });

  it('flipped today: the new side starts at the flipping fill price', () => {
    // long 1 at midnight (close 100), sold 3 @ 105 → short 2 from 105; mark 101: −2 × (101 − 105) = 8
    expect(
      unrealizedToday({ qty: -2, avgPrice: 105, mark: 101 }, 100, [{ side: 'sell', qty: 3, price: 105 }]),
    ).toBe(8);
  });

  it('no close before midnight: the held part falls back to the entry price; no mark: null', () => {
    // 2 @ 150 held, no earlier close: 2 × (230 − 150) = 160
    expect(unrealizedToday({ qty: 2, avgPrice: 150, mark: 230 }, null, [])).toBe(160);
    expect(unrealizedToday({ qty: 2, avgPrice: 150, mark: null }, 200, [])).toBeNull();
  });
});
