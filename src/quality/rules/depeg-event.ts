/**
 * A depeg event: a stretch where a stablecoin trades away from its peg. The seed's checks: it lasts at least
 * an hour, its minimum price is plausible (0.50–1.50), the recovery time is at least the duration, it ends
 * after it starts, and the stated duration equals end − start.
 */
import { fmtPrice, type QualityThresholds } from '../thresholds.ts';
import { RULES, type Violation } from './rule.ts';

export interface DepegEventInput {
  /** UTC ms. */
  start: number;
  /** UTC ms. */
  end: number;
  minPrice: number;
  durationSeconds: number;
  recoveryTimeSeconds: number;
}

/** All failed checks of one event (empty when valid). */
export function checkDepegEvent(
  e: DepegEventInput,
  t: Pick<QualityThresholds, 'depegMinDurationSeconds' | 'depegPriceBounds'>,
): Violation[] {
  const out: string[] = [];
  if (!(e.durationSeconds >= t.depegMinDurationSeconds)) {
    const min = t.depegMinDurationSeconds;
    const unit = min === 3600 ? '1 hour' : `${min} seconds`;
    out.push(`Duration ${e.durationSeconds} seconds < ${unit} minimum`);
  }
  const { min, max } = t.depegPriceBounds;
  if (!(e.minPrice >= min && e.minPrice <= max)) {
    out.push(`Min price ${fmtPrice(e.minPrice)} outside bounds [${fmtPrice(min)}, ${fmtPrice(max)}]`);
  }
  if (!(e.recoveryTimeSeconds >= e.durationSeconds)) {
    out.push(`Recovery time ${e.recoveryTimeSeconds} seconds < duration ${e.durationSeconds} seconds`);
  }
  if (!(e.end > e.start)) {
    out.push(`End ${new Date(e.end).toISOString()} is not after start ${new Date(e.start).toISOString()}`);
  } else {
    const span = (e.end - e.start) / 1000;
    if (Math.abs(span - e.durationSeconds) > 1) {
      out.push(`Duration ${e.durationSeconds} seconds != end - start ${span} seconds`);
    }
  }
  return out.map((reason) => ({ rule: RULES.depeg, reason }));
}
