/**
 * Stress scenarios: named market shocks with an annual probability and a weight. `assetImpacts` maps an
 * asset to its shocked PRICE when the asset is pegged (USDC 0.88 = a 12 % depeg) and to a RETURN
 * otherwise (ETH −0.5); `btcImpact` is BTC's return when BTC is not listed in `assetImpacts`.
 */
import type { Scenario } from '../core/scenario.ts';

/**
 * Return of each asset under the scenario; NaN where the scenario says nothing about the asset.
 * `pegs[i]` is the asset's peg (1 for USD stablecoins) or null when it floats.
 */
export function scenarioReturns(
  s: Pick<Scenario, 'assetImpacts' | 'btcImpact'>,
  assets: readonly string[],
  pegs: readonly (number | null)[],
): Float64Array {
  const out = new Float64Array(assets.length).fill(Number.NaN);
  assets.forEach((asset, i) => {
    const v = s.assetImpacts[asset];
    const peg = pegs[i] ?? null;
    if (v !== undefined) out[i] = peg !== null && peg > 0 ? v / peg - 1 : v;
    else if (asset === 'BTC' && s.btcImpact !== null) out[i] = s.btcImpact;
  });
  return out;
}

/**
 * Probability that the scenario starts within `horizonDays`, treating probability × weight as a yearly
 * Poisson intensity λ: 1 − exp(−λ·h/365).
 */
export function scenarioHorizonProbability(
  s: Pick<Scenario, 'probabilityAnnual' | 'weight'>,
  horizonDays: number,
): number {
  const lambda = Math.max(0, s.probabilityAnnual) * Math.max(0, s.weight);
  return 1 - Math.exp((-lambda * horizonDays) / 365);
}

/** Pegs assumed for well-known USD stablecoins when the instrument table has none. */
export const KNOWN_PEGS: Readonly<Record<string, number>> = Object.freeze({
  USDC: 1,
  USDT: 1,
  DAI: 1,
  BUSD: 1,
  TUSD: 1,
  USDP: 1,
  FRAX: 1,
  PYUSD: 1,
  USDE: 1,
  GUSD: 1,
  LUSD: 1,
});

/**
 * Scenario weights driven by a depeg model (`risk.scenario_weights = model`). For each scenario that
 * shocks a stablecoin the model forecasts, the weight becomes
 *   weight × max over those coins of P_model(depeg next day) / baseRate,
 * where `baseRate` is the observed daily depeg frequency the model was scored against: the scenario's
 * annual intensity (probabilityAnnual × weight) is scaled by how much likelier than usual the model thinks
 * a depeg is today. Scenarios that shock no forecast coin keep their weight. `changed` names the scenarios
 * whose weight was replaced, with the old and new weight.
 */
export function modelScenarioWeights<S extends Pick<Scenario, 'name' | 'assetImpacts' | 'weight'>>(
  scenarios: readonly S[],
  probabilities: Readonly<Record<string, number>>,
  baseRate: number,
): { scenarios: S[]; changed: Record<string, { from: number; to: number }> } {
  const changed: Record<string, { from: number; to: number }> = {};
  if (!(baseRate > 0)) return { scenarios: [...scenarios], changed };
  const out = scenarios.map((s) => {
    let p = Number.NaN;
    for (const asset of Object.keys(s.assetImpacts)) {
      const q = probabilities[asset];
      if (q !== undefined && Number.isFinite(q) && !(q <= p)) p = q;
    }
    if (Number.isNaN(p)) return s;
    const to = (s.weight * p) / baseRate;
    changed[s.name] = { from: s.weight, to };
    return { ...s, weight: to };
  });
  return { scenarios: out, changed };
}
