import { ValidationError } from './errors.ts';

/** Named look-back ranges users type (`ingest historical 1Y`, `?range=3M`). */
export const NAMED_RANGES = ['1D', '7D', '1M', '3M', '6M', 'YTD', '1Y', '3Y', '5Y', 'MAX'] as const;
export type NamedRange = (typeof NAMED_RANGES)[number];

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

export function isNamedRange(value: string): value is NamedRange {
  return (NAMED_RANGES as readonly string[]).includes(value.toUpperCase());
}

/**
 * Start of a named range ending at `now` (UTC epoch ms). Calendar months and years are used (3M back from
 * 31 May is 28/29 Feb) rather than fixed day counts; `MAX` starts at the epoch.
 */
export function namedRangeStart(range: NamedRange, now: number): number {
  const d = new Date(now);
  const shiftMonths = (months: number): number => {
    const t = new Date(now);
    const day = t.getUTCDate();
    t.setUTCDate(1);
    t.setUTCMonth(t.getUTCMonth() - months);
    const last = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 0)).getUTCDate();
    t.setUTCDate(Math.min(day, last));
    return t.getTime();
  };
  switch (range) {
    case '1D':
      return now - DAY_MS;
    case '7D':
      return now - 7 * DAY_MS;
    case '1M':
      return shiftMonths(1);
    case '3M':
      return shiftMonths(3);
    case '6M':
      return shiftMonths(6);
    case 'YTD':
      return Date.UTC(d.getUTCFullYear(), 0, 1);
    case '1Y':
      return shiftMonths(12);
    case '3Y':
      return shiftMonths(36);
    case '5Y':
      return shiftMonths(60);
    case 'MAX':
      return 0;
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Parses a user-given time: `2024-01-31` (midnight UTC), a full ISO-8601 timestamp (a zone-less one is read
 * as UTC), or Unix seconds / milliseconds. Throws a ValidationError naming `what` otherwise.
 */
export function parseTime(value: string, what = 'time'): number {
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    // Unix seconds up to year 5138 are below 1e11; anything larger is milliseconds.
    return Math.abs(n) < 1e11 ? Math.round(n * 1000) : Math.round(n);
  }
  let iso = text;
  if (ISO_DATE.test(iso)) iso = `${iso}T00:00:00Z`;
  else if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) iso = `${iso.replace(' ', 'T')}Z`;
  // Nanosecond fractions (OANDA v20) are beyond Date's precision: keep milliseconds.
  iso = iso.replace(/(\.\d{3})\d+/, '$1');
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) throw new ValidationError(`${what}: cannot read "${value}" as a date or time`);
  return t;
}

/** ISO-8601 in UTC with a `Z`, the one way marketpipe writes times. */
export function toIso(ts: number): string {
  return new Date(ts).toISOString();
}

/** `YYYY-MM-DD` of a UTC timestamp. */
export function toIsoDate(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

/** Midnight UTC of the day holding `ts`. */
export function startOfUtcDay(ts: number): number {
  return Math.floor(ts / DAY_MS) * DAY_MS;
}
