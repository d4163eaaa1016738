/**
 * Freshness: the latest point of an instrument is no older than its max age (24 h by default), measured
 * from the last time its market was open — a Monday-morning check of an equity does not call Friday's
 * close stale — and is not in the future. For bars the age runs from the bar's end (open + interval), so a
 * daily equity bar of the last closed session is fresh until the next session has closed plus the max age.
 */
import { lastClosedSession, lastMarketTime, usesNyseCalendar } from '../../core/calendar.ts';
import type { AssetClass, Interval } from '../../core/types.ts';
import { INTERVAL_MS } from '../../core/types.ts';
import type { QualityThresholds } from '../thresholds.ts';
import { RULES, type Violation } from './rule.ts';

const DAY_MS = 86_400_000;

export interface FreshnessInput {
  symbol: string;
  assetClass: AssetClass;
  /** Interval of the series; omit for point prices. */
  interval?: Interval;
  /** Open time (bars) or time (prices) of the latest point, UTC ms; null when there is none. */
  latestTs: number | null;
  now: number;
  /** Overrides `freshnessMaxAgeMs` for this instrument. */
  maxAgeMs?: number;
}

/** Age in ms of the latest point against the market's clock (negative or 0 when up to date). */
function dataAgeMs(input: FreshnessInput): number {
  const { assetClass, interval, latestTs, now } = input;
  if (latestTs === null) return Number.POSITIVE_INFINITY;
  const end = latestTs + (interval ? INTERVAL_MS[interval] : 0);
  if (interval === '1d' && usesNyseCalendar(assetClass)) {
    // Daily bars sit at 00:00 UTC of the session date and are complete when that day ends.
    const s = lastClosedSession(now);
    return Math.floor(s.open / DAY_MS) * DAY_MS + DAY_MS - end;
  }
  return Math.min(lastMarketTime(assetClass, now), now) - end;
}

export function checkFreshness(
  input: FreshnessInput,
  t: Pick<QualityThresholds, 'freshnessMaxAgeMs' | 'futureSkewMs'>,
): Violation | null {
  const { symbol, latestTs, now } = input;
  if (input.assetClass === 'economic') return null;
  if (latestTs === null) return { rule: RULES.freshness, reason: `${symbol}: no data` };
  if (latestTs > now + t.futureSkewMs) {
    return {
      rule: RULES.freshness,
      reason: `${symbol}: latest point ${new Date(latestTs).toISOString()} is in the future`,
    };
  }
  const maxAge = input.maxAgeMs ?? t.freshnessMaxAgeMs;
  const age = dataAgeMs(input);
  if (age <= maxAge) return null;
  const hours = (age / 3_600_000).toFixed(1);
  return {
    rule: RULES.freshness,
    reason: `${symbol}${input.interval ? ` ${input.interval}` : ''}: latest point ${new Date(latestTs).toISOString()} is ${hours} h old (max ${(maxAge / 3_600_000).toFixed(0)} h of market time)`,
  };
}
