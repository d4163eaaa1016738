import { parseTime } from '../core/time.ts';

/**
 * Largest magnitude a price or volume in a file may have. No traded instrument is quoted above 1e15 (the
 * whole world's GDP is ~1e14 USD); a bigger number is a unit mix-up or hostile input (`1e308` overflows every
 * later sum), so the file is refused instead of storing it.
 */
const MAX_FILE_NUMBER = 1e15;

/** Plain decimal, optionally with an exponent: `12`, `-0.5`, `.5`, `1.2e3`. No hex, octal, binary, `Infinity`. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads one numeric field. Returns the number, or a reason the value is refused. `Number()` alone would
 * read `0x64` as 100, `Infinity` as infinite and `1e308` as a finite number that overflows any sum.
 */
export function readDecimal(text: string): number | { reason: string } {
  if (!DECIMAL.test(text)) return { reason: 'is not a number (decimal digits only)' };
  return checkMagnitude(Number(text));
}

/** The same bounds for a number that arrives already parsed (a JSON number). */
export function checkMagnitude(value: number): number | { reason: string } {
  if (!Number.isFinite(value)) return { reason: 'is not a finite number' };
  if (Math.abs(value) > MAX_FILE_NUMBER) return { reason: `is beyond ±${MAX_FILE_NUMBER.toExponential()}` };
  return value;
}

/** Unix seconds from 1973-03-03 (1e8) to 2286-11-20 (1e10); below that an integer is more likely junk. */
const SECONDS = { min: 1e8, max: 1e10 } as const;
/** Unix milliseconds over the same years. Values between the two ranges fit neither unit and are refused. */
const MILLIS = { min: 1e11, max: 1e13 } as const;
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Whether y-m-d names a real day (`Date.UTC` silently rolls 2024-02-30 over to March 1). */
function isCalendarDate(y: number, m: number, d: number): boolean {
  const back = new Date(Date.UTC(y, m - 1, d));
  return y >= 1800 && back.getUTCMonth() === m - 1 && back.getUTCDate() === d;
}

/**
 * Reads a file's time field as UTC milliseconds: ISO-8601 (a date, or a date and time with an optional zone;
 * no zone means UTC), `YYYYMMDD` as that calendar date, or Unix seconds or milliseconds of plausible size.
 * Everything else is refused with a reason, so `20240501` is never stored as a bar in 1970.
 */
export function readFileTime(raw: string | number): number | { reason: string } {
  const text = String(raw).trim();
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (compact) {
    const [y, m, d] = [Number(compact[1]), Number(compact[2]), Number(compact[3])];
    if (!isCalendarDate(y, m, d)) return { reason: 'looks like YYYYMMDD but is not a calendar date' };
    return Date.UTC(y, m - 1, d);
  }
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    if (n >= SECONDS.min && n < SECONDS.max) return Math.round(n * 1000);
    if (n >= MILLIS.min && n < MILLIS.max) return Math.round(n);
    return { reason: 'is neither Unix seconds nor Unix milliseconds between 1973 and 2286' };
  }
  const iso = ISO_8601.exec(text);
  if (!iso) return { reason: 'is not an ISO-8601 date or time' };
  if (!isCalendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3])))
    return { reason: 'is not a calendar date' };
  try {
    return parseTime(text);
  } catch {
    return { reason: 'is not a valid date or time' };
  }
}
