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
