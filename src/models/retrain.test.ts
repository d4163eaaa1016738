import { describe, expect, it } from 'vitest';
import { retrainDecision } from './retrain.ts';

describe('weekly retrain: when a new version replaces the active one', () => {
  const base = {
    beatsBaseline: true,
    active: { version: 3 },
    window: 40,
    logLossNew: 0.02,
    logLossActive: 0.03,
  };
  it('replaces it when it beats both its baseline and the active version on the latest window', () => {
    expect(retrainDecision(base).activate).toBe(true);
    expect(retrainDecision({ ...base, active: null, window: 0 }).activate).toBe(true);
  });
  it('never activates a version that did not beat its baseline, however it compares to the active one', () => {
    expect(retrainDecision({ ...base, beatsBaseline: false, logLossNew: 0 })).toEqual({
      activate: false,
      reason: 'the new version did not beat its baseline',
    });
    expect(retrainDecision({ ...base, beatsBaseline: false, active: null }).activate).toBe(false);
  });
  it('keeps the active version on a tie, a loss, or an empty window', () => {
    expect(retrainDecision({ ...base, logLossNew: 0.03 }).activate).toBe(false);
    expect(retrainDecision({ ...base, logLossNew: 0.05 }).activate).toBe(false);
    expect(retrainDecision({ ...base, window: 0 }).activate).toBe(false);
    expect(retrainDecision({ ...base, logLossNew: Number.NaN }).activate).toBe(false);
  });
});
