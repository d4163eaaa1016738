import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS as T } from '../thresholds.ts';
import { detectSpikes } from './outliers.ts';

describe('outlier detection', () => {
  it('flags [1, 5, 1] with no history (σ floor) and scores it low', () => {
    const r = detectSpikes([1, 5, 1], T);
    expect([...r.isOutlier]).toEqual([0, 1, 0]);
    expect(r.score[1]).toBeLessThan(0.1);
  });

  it('does not flag a step (a real move that does not revert)', () => {
    const prices = [...Array(30).fill(1), ...Array(30).fill(0.87)];
    expect(detectSpikes(prices, T).count).toBe(0);
  });

  it('does not flag a partial rebound that undoes less than 70 % of the drop', () => {
    expect(detectSpikes([1, 1, 1, 1, 1, 0.8, 0.9, 0.9, 0.9, 0.9], T).count).toBe(0);
  });
});
