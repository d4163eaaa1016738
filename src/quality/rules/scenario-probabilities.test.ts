import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS as T } from '../thresholds.ts';
import { checkScenarioProbabilities } from './scenario-probabilities.ts';

describe('scenario probabilities', () => {
  it("accepts the seed's five scenarios (weights 1.5, 1.2, 1, 2, 1; normalized sum 1)", () => {
    const seed = [
      { name: 'Banking Crisis (SVB)', probability: 0.2, weight: 1.5, normalizedWeight: 1.5 / 6.7 },
      { name: 'Crypto Crash', probability: 0.15, weight: 1.2, normalizedWeight: 1.2 / 6.7 },
      { name: 'Regulatory Shutdown', probability: 0.05, weight: 1, normalizedWeight: 1 / 6.7 },
      { name: 'Multiple Failure', probability: 0.02, weight: 2, normalizedWeight: 2 / 6.7 },
      { name: 'DAI Collateral Contagion', probability: 0.08, weight: 1, normalizedWeight: 1 / 6.7 },
    ];
    expect(checkScenarioProbabilities(seed, T)).toEqual([]);
    expect(checkScenarioProbabilities([{ name: 'a', probability: 0.5 }], T)).toEqual([]);
  });

  it('reports probabilities outside [0, 1], weights outside [0, 10] and stale normalized weights', () => {
    expect(
      checkScenarioProbabilities(
        [
          { name: 'a', probability: 1.2, weight: 1, normalizedWeight: 0.5 },
          { name: 'b', probability: 0.1, weight: 11, normalizedWeight: 0.4 },
        ],
        T,
      ).map((v) => v.reason),
    ).toEqual([
      'Scenario a: probability 1.2 outside [0, 1]',
      'Scenario b: weight 11 outside [0, 10]',
      'Normalized weights sum to 0.9, expected 1 ± 0.05',
    ]);
    expect(checkScenarioProbabilities([{ name: 'z', probability: 0.1, weight: 0 }], T)[0]?.reason).toBe(
      'Normalized weights sum to 0, expected 1 ± 0.05',
    );
  });
});
