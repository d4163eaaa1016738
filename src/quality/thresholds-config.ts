/**
 * Thresholds from the `config.parameters` rows of category `quality` (migration 040), over the defaults.
 * Plain SQL so the quality gate does not depend on the config service; a store without the table (or a
 * key without a row) keeps the default.
 */
import type { Queryable } from '../store/db.ts';
import { DEFAULT_THRESHOLDS, type QualityThresholds, withThresholds } from './thresholds.ts';

/** Maps the seed's parameter keys to thresholds. */
export function thresholdsFromParameters(params: Readonly<Record<string, unknown>>): QualityThresholds {
  const n = (key: string): number | undefined => {
    const v = Number(params[key]);
    return params[key] !== undefined && params[key] !== null && Number.isFinite(v) ? v : undefined;
  };
  const stable = DEFAULT_THRESHOLDS.bounds.stablecoin ?? { min: 0.5, max: 1.5 };
  const out = withThresholds({
    bounds: {
      stablecoin: {
        min: n('stablecoin_min_price') ?? stable.min,
        max: n('stablecoin_max_price') ?? stable.max,
      },
    },
  });
  out.outlierSigma = n('outlier_sigma') ?? out.outlierSigma;
  out.maxOutlierFraction = n('outlier_batch_max') ?? out.maxOutlierFraction;
  const hours = n('max_age_hours');
  if (hours !== undefined) out.freshnessMaxAgeMs = hours * 3_600_000;
  return out;
}

/** Reads the current quality parameters from the store. */
export async function loadThresholds(db: Queryable): Promise<QualityThresholds> {
  const exists = await db.query<{ t: string | null }>("SELECT to_regclass('config.parameters')::text AS t");
  if (!exists.rows[0]?.t) return withThresholds();
  const res = await db.query<{ key: string; value: unknown }>(
    "SELECT key, value FROM config.parameters WHERE category = 'quality'",
  );
  return thresholdsFromParameters(Object.fromEntries(res.rows.map((r) => [r.key, r.value])));
}
