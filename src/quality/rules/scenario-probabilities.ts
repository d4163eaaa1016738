/**
 * Stress scenarios carry an annual probability in [0, 1] and a weight (emphasis) in [0, 10]. The weights
 * Monte Carlo mixes scenarios with are the normalized ones, wᵢ / Σw (stored as `normalized_weight`); their
 * sum must be 1 ± 0.05 — a stale normalization after an edit shows up here. When no normalized weights are
 * given they are computed, so only an all-zero weight set fails the sum. (The seed's scenarios have
 * Σ pᵢ·wᵢ = 0.65, so the sum is not over probabilities.)
 */
import type { QualityThresholds } from '../thresholds.ts';
import { RULES, type Violation } from './rule.ts';

export interface ScenarioInput {
  name: string;
  probability: number;
  /** @defaultValue 1 */
  weight?: number;
  /** wᵢ / Σw as stored; computed when omitted. */
  normalizedWeight?: number | null;
}

export function checkScenarioProbabilities(
  scenarios: readonly ScenarioInput[],
  t: Pick<QualityThresholds, 'scenarioMaxWeight' | 'scenarioSumTolerance'>,
): Violation[] {
  const out: string[] = [];
  let weights = 0;
  for (const s of scenarios) weights += s.weight ?? 1;
  let sum = 0;
  for (const s of scenarios) {
    const w = s.weight ?? 1;
    if (!(s.probability >= 0 && s.probability <= 1))
      out.push(`Scenario ${s.name}: probability ${s.probability} outside [0, 1]`);
    if (!(w >= 0 && w <= t.scenarioMaxWeight))
      out.push(`Scenario ${s.name}: weight ${w} outside [0, ${t.scenarioMaxWeight}]`);
    sum += s.normalizedWeight ?? (weights > 0 ? w / weights : 0);
  }
  if (scenarios.length > 0 && !(Math.abs(sum - 1) <= t.scenarioSumTolerance)) {
    out.push(`Normalized weights sum to ${Number(sum.toFixed(6))}, expected 1 ± ${t.scenarioSumTolerance}`);
  }
  return out.map((reason) => ({ rule: RULES.scenario, reason }));
}
