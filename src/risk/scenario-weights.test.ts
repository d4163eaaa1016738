import { describe, expect, it } from 'vitest';
import type { Scenario } from '../core/scenario.ts';
import { modelScenarioWeights } from './scenarios.ts';

describe('scenario weights from a depeg model', () => {
  const scenarios: Pick<Scenario, 'name' | 'assetImpacts' | 'weight'>[] = [
    { name: 'usdc-svb', assetImpacts: { USDC: 0.88 }, weight: 1 },
    { name: 'two-coins', assetImpacts: { USDT: 0.9, DAI: 0.95 }, weight: 2 },
    { name: 'crypto-crash', assetImpacts: { ETH: -0.5 }, weight: 1.5 },
  ];
  it('scales a scenario by the highest forecast of the coins it shocks over the base rate', () => {
    const { scenarios: out, changed } = modelScenarioWeights(
      scenarios,
      { USDC: 0.02, USDT: 0.001, DAI: 0.004 },
      0.01,
    );
    // 1 × 0.02 / 0.01 = 2; 2 × max(0.001, 0.004) / 0.01 = 0.8; ETH is not forecast: kept.
    expect(out.map((s) => s.weight)).toEqual([2, 0.8, 1.5]);
    expect(changed).toEqual({ 'usdc-svb': { from: 1, to: 2 }, 'two-coins': { from: 2, to: 0.8 } });
    expect(scenarios[0]?.weight).toBe(1);
  });
  it('keeps every weight when the base rate is unusable', () => {
    expect(modelScenarioWeights(scenarios, { USDC: 0.5 }, 0).changed).toEqual({});
    expect(modelScenarioWeights(scenarios, { USDC: 0.5 }, Number.NaN).scenarios.map((s) => s.weight)).toEqual(
      [1, 2, 1.5],
    );
  });
});
