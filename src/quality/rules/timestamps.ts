import type { AssetClass } from '../../core/types.ts';
import type { QualityThresholds } from '../thresholds.ts';
import { RULES, type Violation } from './rule.ts';

export type LoadMode = 'backfill' | 'incremental';

/**
 * A timestamp must be finite, not in the future (beyond a small clock skew) and, for incremental loads,
 * not older than `incrementalMaxAgeMs` (a year): old rows in a live feed mean a wrong field or unit.
 */
export function checkTimestamp(
  ts: number,
  now: number,
  mode: LoadMode,
  t: Pick<QualityThresholds, 'futureSkewMs' | 'incrementalMaxAgeMs'>,
): Violation | null {
  if (!Number.isFinite(ts)) return { rule: RULES.future, reason: `Timestamp ${ts} is not a valid time` };
  if (ts > now + t.futureSkewMs) {
    return {
      rule: RULES.future,
      reason: `Timestamp ${new Date(ts).toISOString()} is in the future (now ${new Date(now).toISOString()})`,
    };
  }
  if (mode === 'incremental' && ts < now - t.incrementalMaxAgeMs) {
    const days = Math.round(t.incrementalMaxAgeMs / 86_400_000);
    return {
      rule: RULES.tooOld,
      reason: `Timestamp ${new Date(ts).toISOString()} is more than ${days} days old for an incremental load`,
    };
  }
  return null;
}

/**
 * A timestamp before the asset class could have traded (a 1900 bitcoin, a 1970 stablecoin) is a wrong field or
 * unit, whatever the load: see `QualityThresholds.earliest`.
 */
export function checkPlausibleDate(
  ts: number,
  assetClass: AssetClass,
  t: Pick<QualityThresholds, 'earliest' | 'earliestDefault'>,
): Violation | null {
  const earliest = t.earliest[assetClass] ?? t.earliestDefault;
  if (ts >= earliest) return null;
  return {
    rule: RULES.tooEarly,
    reason: `Timestamp ${new Date(ts).toISOString()} is before ${new Date(earliest).toISOString().slice(0, 10)}, the earliest plausible date for ${assetClass}`,
  };
}
