import { DAY_MS, HOUR_MS, type NamedRange, namedRangeStart } from '../core/time.ts';
import { INTERVAL_MS, type Interval, type TimeRange } from '../core/types.ts';

/** How an ingest run chooses its time ranges. */
export type IngestMode = 'historical' | 'daily' | 'hourly' | 'backfill';

export interface PlanInput {
  mode: IngestMode;
  now: number;
  /** `historical`: the named range (7D … MAX). */
  range?: NamedRange;
  /** `backfill`: explicit start and (optional) end, UTC ms. */
  from?: number;
  to?: number;
  /** Oldest stored bar of the instrument at this interval, UTC ms. */
  first?: number | null;
  /** Newest stored bar of the instrument at this interval, UTC ms (the watermark). */
  last?: number | null;
  /** Missing spans inside the planned range, from coverage (targeted refetch). */
  gaps?: ReadonlyArray<TimeRange>;
  /** Whether the instrument has any bar at this interval. */
  hasData: boolean;
}

/** Days re-read before the watermark on `daily` runs: providers revise the last bars (late prints). */
export const DAILY_OVERLAP_DAYS = 2;
/** First `daily` run of an instrument with nothing stored loads this much history. */
const DAILY_FIRST_LOAD_DAYS = 365;
/** `hourly` reads the last day of hourly bars plus one hour of overlap. */
const HOURLY_LOOKBACK_MS = DAY_MS + HOUR_MS;

export function intervalFor(mode: IngestMode, requested?: Interval): Interval {
  if (requested) return requested;
  return mode === 'hourly' ? '1h' : '1d';
}

/**
 * The spans to fetch for one instrument. A daily run is just a short backfill from the watermark (with an
 * overlap); historical and backfill runs fetch only the missing spans when the instrument already has data
 * (gap repair), the whole range otherwise. Spans are aligned to the interval grid and never reach past `now`.
 */
export function planSpans(input: PlanInput, interval: Interval): TimeRange[] {
  const step = INTERVAL_MS[interval];
  const align = (t: number) => Math.floor(t / step) * step;
  const to = Math.min(input.to ?? input.now, input.now);
  let from: number;
  switch (input.mode) {
    case 'historical':
      from = namedRangeStart(input.range ?? '1Y', input.now);
      break;
    case 'backfill':
      from = input.from ?? input.now - DAILY_FIRST_LOAD_DAYS * DAY_MS;
      break;
    case 'daily':
      from =
        input.last !== null && input.last !== undefined
          ? input.last - DAILY_OVERLAP_DAYS * DAY_MS
          : input.now - DAILY_FIRST_LOAD_DAYS * DAY_MS;
      break;
    case 'hourly':
      from = input.now - HOURLY_LOOKBACK_MS;
      break;
  }
  from = align(Math.max(0, from));
  if (from >= to) return [];
  const whole: TimeRange = { from, to };
  if ((input.mode === 'historical' || input.mode === 'backfill') && input.hasData && input.gaps) {
    return missingSpans(input.gaps, whole, input.first ?? null, input.last ?? null, step);
  }
  return [whole];
}

/**
 * Gap repair: what lies before the first stored bar, the gaps coverage found between first and last, and
 * what comes after the watermark — clipped to the requested range and merged.
 */
function missingSpans(
  gaps: ReadonlyArray<TimeRange>,
  whole: TimeRange,
  first: number | null,
  last: number | null,
  step: number,
): TimeRange[] {
  const out: TimeRange[] = [];
  if (first !== null && first > whole.from) out.push({ from: whole.from, to: first });
  for (const g of gaps) out.push(g);
  if (last !== null && last + step < whole.to) out.push({ from: last + step, to: whole.to });
  const clipped = out
    .map((s) => ({ from: Math.max(s.from, whole.from), to: Math.min(s.to, whole.to) }))
    .filter((s) => s.from < s.to)
    .sort((a, b) => a.from - b.from);
  const merged: TimeRange[] = [];
  for (const s of clipped) {
    const prev = merged.at(-1);
    if (prev && s.from <= prev.to) prev.to = Math.max(prev.to, s.to);
    else merged.push({ ...s });
  }
  return merged;
}
