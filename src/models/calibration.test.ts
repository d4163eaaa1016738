import { describe, expect, it } from 'vitest';
import { calibrationBins } from './calibration.ts';

describe('calibration bins', () => {
  it('groups forecasts by predicted probability with the observed frequency of each group', () => {
    const bins = calibrationBins([0.05, 0.07, 0.95, 1, 0.5], [0, 1, 1, 1, 0], 10);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toMatchObject({ lo: 0, hi: 0.1, count: 2, observed: 0.5 });
    expect(bins[0]?.mean_p).toBeCloseTo(0.06, 15);
    // p = 1 falls in the last bin, not past it.
    expect(bins[9]).toMatchObject({ count: 2, observed: 1 });
    expect(bins[9]?.mean_p).toBeCloseTo(0.975, 15);
    expect(bins[5]).toMatchObject({ count: 1, observed: 0 });
    expect(bins[3]).toMatchObject({ count: 0, mean_p: null, observed: null });
  });
});
