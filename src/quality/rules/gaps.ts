/**
 * Gaps: bar times the instrument's calendar expects between its first and last stored bar that are
 * missing, merged into spans. Only inside the stored range — a gap at the end means "not yet available",
 * which freshness reports.
 */
import { expectedBarTimes } from '../../core/calendar.ts';
import type { AssetClass, Interval } from '../../core/types.ts';

export interface GapSpan {
  /** Open time of the first missing bar, UTC ms. */
  from: number;
  /** Open time of the last missing bar, UTC ms. */
  to: number;
  /** Missing bars in the span. */
  count: number;
}

export interface GapReport {
  expected: number;
  missing: number;
  spans: GapSpan[];
}

/**
 * Compares sorted stored bar times `ts` with the calendar. Bars at times the calendar does not expect
 * (e.g. a weekend bar from a provider) are ignored here.
 */
export function findGaps(ts: ArrayLike<number>, assetClass: AssetClass, interval: Interval): GapReport {
  const n = ts.length;
  if (n < 2) return { expected: n, missing: 0, spans: [] };
  const first = ts[0] ?? 0;
  const last = ts[n - 1] ?? 0;
  const expected = expectedBarTimes(assetClass, interval, { from: first, to: last + 1 });
  const spans: GapSpan[] = [];
  let missing = 0;
  let j = 0;
  let previousMissing = false;
  for (const e of expected) {
    while (j < n && (ts[j] ?? 0) < e) j++;
    if (j < n && ts[j] === e) {
      previousMissing = false;
      continue;
    }
    missing++;
    const open = spans[spans.length - 1];
    if (open && previousMissing) {
      open.to = e;
      open.count++;
    } else spans.push({ from: e, to: e, count: 1 });
    previousMissing = true;
  }
  return { expected: expected.length, missing, spans };
}
