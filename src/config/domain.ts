import { ConfigError, NotFoundError, ValidationError } from '../core/errors.ts';
import { CURVE_TYPES, type CurveType, TRANCHE_IDS, type TrancheId, UTILIZATION_BANDS } from './defaults.ts';
import type { ConfigStore } from './store.ts';

/**
 * Domain accessors over the parameters. Each takes the store to read from: the process's (the runtime's
 * `config()`), a request's canary view, or `new ConfigStore({ db: null })` for the built-in defaults.
 */

/** What the domain helpers need from a store. */
export type ConfigReader = Pick<ConfigStore, 'find' | 'getFloat' | 'getInt' | 'getString'>;

// Keys built once per asset: a fresh string per call costs more than the lookup itself (bench/config).
const rateKeys = new Map<string, string>();
function rateKey(asset: string): string {
  let key = rateKeys.get(asset);
  if (key === undefined) {
    if (rateKeys.size >= 10_000) rateKeys.clear();
    key = `base_rate_${asset.toUpperCase()}`;
    rateKeys.set(asset, key);
  }
  return key;
}

/**
 * Annual base premium rate for depeg cover of `asset` (0.04 = 4 % a year), from
 * `pricing.base_rate_<ASSET>` (asset upper-cased), else `pricing.base_rate_default`.
 */
export function baseRate(asset: string, cfg: ConfigReader): number {
  const v = cfg.find('pricing', rateKey(asset))?.value;
  return typeof v === 'number' ? v : cfg.getFloat('pricing', 'base_rate_default');
}

interface SizeTier {
  /** Cover amount (USD) from which the tier applies, inclusive. */
  threshold: number;
  multiplier: number;
}

/** The size-discount tiers, smallest threshold first (`pricing.size_discount_tierN_*`, N = 1…3). */
function sizeTiers(cfg: ConfigReader): SizeTier[] {
  const tiers: SizeTier[] = [];
  for (const n of [1, 2, 3]) {
    tiers.push({
      threshold: cfg.getFloat('pricing', `size_discount_tier${n}_threshold`),
      multiplier: cfg.getFloat('pricing', `size_discount_tier${n}_multiplier`),
    });
  }
  return tiers.sort((a, b) => a.threshold - b.threshold);
}

/**
 * Premium multiplier for a cover of `amount` USD: the multiplier of the largest tier whose threshold is
 * reached (defaults: ≥ 1M × 0.95, ≥ 5M × 0.90, ≥ 10M × 0.80), else 1.
 */
export function sizeDiscount(amount: number, cfg: ConfigReader): number {
  if (!Number.isFinite(amount) || amount < 0) throw new ValidationError(`amount must be ≥ 0, got ${amount}`);
  let m = 1;
  for (const t of sizeTiers(cfg)) if (amount >= t.threshold) m = t.multiplier;
  return m;
}

/**
 * Premium multiplier for pool utilisation `u` (covered amount / capital, 0.85 = 85 %): the multiplier
 * of the highest band reached (`pricing.utilization_multiplier_<band>`, bands 0/50/70/80/90/95 %).
 * Above 100 % the top band applies.
 */
export function utilizationMultiplier(u: number, cfg: ConfigReader): number {
  if (!Number.isFinite(u) || u < 0) throw new ValidationError(`utilisation must be ≥ 0, got ${u}`);
  const pct = u * 100;
  let band: number = UTILIZATION_BANDS[0];
  for (const b of UTILIZATION_BANDS) if (pct >= b) band = b;
  return cfg.getFloat('pricing', `utilization_multiplier_${band}`);
}

export interface TrancheConfig {
  id: TrancheId;
  apy_min: number;
  apy_max: number;
  curve_type: CurveType;
  allocation_percent: number;
  /** 1 (safest) – 10. */
  risk_score: number;
}

function isTrancheId(id: string): id is TrancheId {
  return (TRANCHE_IDS as readonly string[]).includes(id);
}

/** A SURE tranche's parameters (`tranches.<ID>.*`). */
export function trancheConfig(id: string, cfg: ConfigReader): TrancheConfig {
  if (!isTrancheId(id)) throw new NotFoundError(`unknown tranche ${id} (known: ${TRANCHE_IDS.join(', ')})`);
  const curve = cfg.getString('tranches', `${id}.curve_type`);
  if (!(CURVE_TYPES as readonly string[]).includes(curve)) {
    throw new ConfigError(
      `config tranches.${id}.curve_type ${JSON.stringify(curve)} is not one of ${CURVE_TYPES.join(', ')}`,
    );
  }
  return {
    id,
    apy_min: cfg.getFloat('tranches', `${id}.apy_min`),
    apy_max: cfg.getFloat('tranches', `${id}.apy_max`),
    curve_type: curve as CurveType,
    allocation_percent: cfg.getFloat('tranches', `${id}.allocation_percent`),
    risk_score: cfg.getInt('tranches', `${id}.risk_score`),
  };
}

/** Every tranche, most senior first. */
export function trancheConfigs(cfg: ConfigReader): TrancheConfig[] {
  return TRANCHE_IDS.map((id) => trancheConfig(id, cfg));
}

/**
 * A `(dotted key) => value` reader over a store, e.g. `get('pricing.base_rate_USDC')`, for code that takes
 * parameters by dotted name (the risk engine's `resolvePricingParams`). Undefined when unset.
 */
export function paramGetter(cfg: Pick<ConfigStore, 'find'>): (dotted: string) => unknown {
  return (dotted) => {
    const dot = dotted.indexOf('.');
    if (dot <= 0) return undefined;
    return cfg.find(dotted.slice(0, dot), dotted.slice(dot + 1))?.value;
  };
}
