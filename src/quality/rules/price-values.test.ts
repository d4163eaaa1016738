import { describe, expect, it } from 'vitest';
import { checkBarValues, checkPriceValue } from './price-values.ts';

describe('price values', () => {
  it('accepts a consistent bar and refuses the inconsistent ones', () => {
    expect(checkBarValues({ ts: 0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 0 })).toBeNull();
    expect(checkBarValues({ ts: 0, open: 1, high: 2, low: 0.5, close: 2.5, volume: 0 })?.reason).toBe(
      'close 2.5 outside [low 0.5, high 2]',
    );
    expect(checkPriceValue(Number.POSITIVE_INFINITY)?.rule).toBe('price_finite_positive');
    expect(checkPriceValue(1, -1)?.rule).toBe('volume_non_negative');
  });
});
