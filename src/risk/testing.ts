/** Builders shared by the risk tests (not used by production code). */
import type { Scenario } from '../core/scenario.ts';

export function scenario(over: Partial<Scenario> & Pick<Scenario, 'name'>): Scenario {
  return {
    description: '',
    type: 'test',
    assetImpacts: {},
    btcImpact: null,
    correlationShift: 0,
    volatilityMultiplier: 1,
    probabilityAnnual: 0.1,
    severityLevel: 3,
    weight: 1,
    enabled: true,
    ...over,
  };
}
