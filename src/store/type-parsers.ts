/**
 * Result-value parsers shared by both drivers so a row reads the same from PGlite and node-postgres:
 * int8 and numeric as JS numbers (precision beyond 2^53 is given up on purpose: prices, counts and sums
 * fit), `date` as UTC midnight and `timestamp` (without time zone) as UTC.
 */

/** PostgreSQL type OIDs the parsers cover. */
const OID = {
  int8: 20,
  numeric: 1700,
  int8Array: 1016,
  numericArray: 1231,
  date: 1082,
  timestamp: 1114,
} as const;

function parseNumber(text: string): number {
  return Number(text);
}

/** Parses a one-dimensional array literal of numbers (`{1,2.5,NULL}`). */
function parseNumberArray(text: string): (number | null)[] {
  const inner = text.slice(text.indexOf('{') + 1, text.lastIndexOf('}')).trim();
  if (inner === '') return [];
  return inner.split(',').map((part) => {
    const v = part.trim().replaceAll('"', '');
    return v.toUpperCase() === 'NULL' ? null : Number(v);
  });
}

/** `2024-01-02` → 2024-01-02T00:00:00Z (infinity → ±Infinity as a Date is invalid, kept as NaN date). */
function parseDateUtc(text: string): Date {
  return new Date(`${text}T00:00:00Z`);
}

/** `2024-01-02 03:04:05.123` → that instant in UTC. */
function parseTimestampUtc(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`);
}

/** Parser by OID, in the shape PGlite's `parsers` option takes. */
export const RESULT_PARSERS: Readonly<Record<number, (text: string) => unknown>> = Object.freeze({
  [OID.int8]: parseNumber,
  [OID.numeric]: parseNumber,
  [OID.int8Array]: parseNumberArray,
  [OID.numericArray]: parseNumberArray,
  [OID.date]: parseDateUtc,
  [OID.timestamp]: parseTimestampUtc,
});
