import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS as T } from '../thresholds.ts';
import { checkBounds } from './bounds.ts';

describe('price bounds', () => {
  it("quotes the seed's stablecoin message and scales bounds by the peg", () => {
    // Seed example: "Price 1.55 outside stablecoin bounds [0.50, 1.50]".
    expect(checkBounds(1.55, 'stablecoin', T)?.reason).toBe(
      'Price 1.55 outside stablecoin bounds [0.50, 1.50]',
    );
    expect(checkBounds(0.5, 'stablecoin', T)).toBeNull();
    expect(checkBounds(1.6, 'stablecoin', T, 1.08)).toBeNull();
    expect(checkBounds(1e6, 'crypto', T)).toBeNull();
    expect(checkBounds(3, 'crypto', { bounds: { crypto: { min: 5, max: 10 } } })?.reason).toBe(
      'Price 3.00 outside crypto bounds [5.00, 10.00]',
    );
  });
});
