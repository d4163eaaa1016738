/**
 * Tolerant readers for API answers: the dashboard accepts the documented field names and the obvious
 * alternatives (`ts`/`time`/`timestamp`, a bare array or one wrapped in an object), so a renamed wrapper
 * does not blank a page.
 */

export type Row = Record<string, unknown>;

export function isRow(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The first array found at `keys` (or the value itself when it is an array). */
export function listOf(body: unknown, ...keys: string[]): Row[] {
  if (Array.isArray(body)) return body.filter(isRow);
  if (!isRow(body)) return [];
  for (const k of keys) {
    const v = body[k];
    if (Array.isArray(v)) return v.filter(isRow);
  }
  return [];
}

export function numOf(r: Row | null | undefined, ...keys: string[]): number | null {
  if (!r) return null;
  for (const k of keys) {
    const v = r[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  }
  return null;
}

export function strOf(r: Row | null | undefined, ...keys: string[]): string | null {
  if (!r) return null;
  for (const k of keys) {
    const v = r[k];
    if (typeof v === 'string') return v;
  }
  return null;
}
