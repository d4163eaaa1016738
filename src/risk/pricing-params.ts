/**
 * Parameters of depeg-cover pricing, as config keys with defaults. The config service (issue: config
 * parameters) stores the same keys; until it lands, or for any key it lacks, DEFAULTS apply.
 */

interface SizeTier {
  /** Cover amount (USD) from which the multiplier applies. */
  minAmount: number;
  multiplier: number;
}

interface UtilizationStep {
  /** Utilisation (0..1) from which the multiplier applies. */
  minUtilization: number;
  multiplier: number;
}

export interface PricingParams {
  /** Annual premium rate per asset (0.04 = 4 % a year), and for any other asset. */
  baseRates: Readonly<Record<string, number>>;
  defaultBaseRate: number;
  /** Risk weight per asset (multiplies the base rate), and for any other asset. */
  riskWeights: Readonly<Record<string, number>>;
  defaultRiskWeight: number;
  /** Size discounts, any order; the tier with the largest minAmount ≤ amount applies. */
  sizeTiers: readonly SizeTier[];
  /** Utilisation steps (coverage sold / capacity): the step with the largest minUtilization ≤ u applies. */
  utilizationSteps: readonly UtilizationStep[];
  /** Smallest premium charged (USD). */
  minPremium: number;
  /** Smallest annual rate charged (0.005 = 0.5 % a year). */
  minPremiumRate: number;
  minDays: number;
  maxDays: number;
}

export const PRICING_DEFAULTS: Readonly<PricingParams> = Object.freeze({
  baseRates: Object.freeze({ USDC: 0.04, USDT: 0.06, DAI: 0.05 }),
  defaultBaseRate: 0.1,
  // USDT's reserve opacity and DAI's collateral chain weigh above fully reserved, audited USDC.
  riskWeights: Object.freeze({ USDC: 1.0, USDT: 1.2, DAI: 1.1 }),
  defaultRiskWeight: 1.5,
  // Tiers and utilisation steps as the config catalogue (migration 040) seeds them.
  sizeTiers: Object.freeze([
    { minAmount: 1_000_000, multiplier: 0.95 },
    { minAmount: 5_000_000, multiplier: 0.9 },
    { minAmount: 10_000_000, multiplier: 0.8 },
  ]),
  utilizationSteps: Object.freeze([
    { minUtilization: 0, multiplier: 1 },
    { minUtilization: 0.5, multiplier: 1.1 },
    { minUtilization: 0.7, multiplier: 1.25 },
    { minUtilization: 0.8, multiplier: 1.5 },
    { minUtilization: 0.9, multiplier: 2 },
    { minUtilization: 0.95, multiplier: 3 },
  ]),
  minPremium: 100,
  minPremiumRate: 0.005,
  minDays: 1,
  maxDays: 365,
});

/** Reads a config key (`pricing.base_rate_USDC`, …); undefined when unset. */
export type GetParam = (key: string) => unknown;

function num(get: GetParam, key: string, fallback: number): number {
  const v = get(key);
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
}

/**
 * Pricing parameters from config keys (category `pricing`, as in migration 040), falling back to
 * PRICING_DEFAULTS key by key: `pricing.base_rate_<ASSET>`, `pricing.base_rate_default`,
 * `pricing.risk_weight_<ASSET>`, `pricing.risk_weight_default`,
 * `pricing.size_discount_tier<N>_threshold` / `_multiplier` (N = 1, 2, 3…),
 * `pricing.utilization_multiplier_<PERCENT>` (0, 50, 70, 80, 90, 95 or any other percent),
 * `pricing.minimum_premium_absolute`, `pricing.minimum_premium_rate`, `pricing.min_days`, `pricing.max_days`.
 * `knownKeys` lists the keys the source holds, so steps and tiers beyond the defaults are found.
 */
export function resolvePricingParams(
  get: GetParam = () => undefined,
  assets: readonly string[] = [],
  knownKeys: readonly string[] = [],
): PricingParams {
  const d = PRICING_DEFAULTS;
  const names = [...new Set([...Object.keys(d.baseRates), ...Object.keys(d.riskWeights), ...assets])];
  const baseRates: Record<string, number> = {};
  const riskWeights: Record<string, number> = {};
  for (const a of names) {
    const br = num(get, `pricing.base_rate_${a}`, d.baseRates[a] ?? Number.NaN);
    if (!Number.isNaN(br)) baseRates[a] = br;
    const rw = num(get, `pricing.risk_weight_${a}`, d.riskWeights[a] ?? Number.NaN);
    if (!Number.isNaN(rw)) riskWeights[a] = rw;
  }
  for (const k of knownKeys) {
    const m = /^pricing\.base_rate_([A-Z0-9]+)$/.exec(k);
    if (m?.[1] && baseRates[m[1]] === undefined) baseRates[m[1]] = num(get, k, d.defaultBaseRate);
  }
  const tierNumbers = new Set([1, 2, 3]);
  for (const k of knownKeys) {
    const m = /^pricing\.size_discount_tier(\d+)_threshold$/.exec(k);
    if (m?.[1]) tierNumbers.add(Number(m[1]));
  }
  const sizeTiers = [...tierNumbers].flatMap((n) => {
    const dt = d.sizeTiers[n - 1];
    const minAmount = num(get, `pricing.size_discount_tier${n}_threshold`, dt?.minAmount ?? Number.NaN);
    const multiplier = num(get, `pricing.size_discount_tier${n}_multiplier`, dt?.multiplier ?? Number.NaN);
    return Number.isNaN(minAmount) || Number.isNaN(multiplier) ? [] : [{ minAmount, multiplier }];
  });
  const percents = new Set(d.utilizationSteps.map((s) => Math.round(s.minUtilization * 100)));
  for (const k of knownKeys) {
    const m = /^pricing\.utilization_multiplier_(\d+)$/.exec(k);
    if (m?.[1]) percents.add(Number(m[1]));
  }
  const utilizationSteps = [...percents]
    .sort((a, b) => a - b)
    .flatMap((pct) => {
      const ds = d.utilizationSteps.find((s) => Math.round(s.minUtilization * 100) === pct);
      const multiplier = num(get, `pricing.utilization_multiplier_${pct}`, ds?.multiplier ?? Number.NaN);
      return Number.isNaN(multiplier) ? [] : [{ minUtilization: pct / 100, multiplier }];
    });
  return {
    baseRates,
    defaultBaseRate: num(get, 'pricing.base_rate_default', d.defaultBaseRate),
    riskWeights,
    defaultRiskWeight: num(get, 'pricing.risk_weight_default', d.defaultRiskWeight),
    sizeTiers,
    utilizationSteps,
    minPremium: num(get, 'pricing.minimum_premium_absolute', d.minPremium),
    minPremiumRate: num(get, 'pricing.minimum_premium_rate', d.minPremiumRate),
    minDays: num(get, 'pricing.min_days', d.minDays),
    maxDays: num(get, 'pricing.max_days', d.maxDays),
  };
}
