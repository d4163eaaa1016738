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

/** A time field as epoch milliseconds. */
export function timeOf(r: Row, ...keys: string[]): number | null {
  for (const k of keys.length > 0 ? keys : ['ts', 'time', 'timestamp', 'date', 't']) {
    const v = r[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v < 1e11 ? v * 1000 : v;
    if (typeof v === 'string') {
      const t = Date.parse(v);
      if (!Number.isNaN(t)) return t;
    }
  }
  return null;
}

export interface Candle {
  t: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
}

/** OHLCV bars from `{bars}`/`{data}`/array; a `price` series becomes flat candles. Sorted, one per time. */
export function candlesOf(body: unknown): Candle[] {
  const out: Candle[] = [];
  for (const r of listOf(body, 'bars', 'data', 'candles', 'rows', 'prices')) {
    const t = timeOf(r);
    const close = numOf(r, 'close', 'price', 'c');
    if (t === null || close === null) continue;
    out.push({
      t,
      close,
      open: numOf(r, 'open', 'o') ?? close,
      high: numOf(r, 'high', 'h') ?? close,
      low: numOf(r, 'low', 'l') ?? close,
      volume: numOf(r, 'volume', 'v'),
    });
  }
  out.sort((a, b) => a.t - b.t);
  return out.filter((c, i) => i === 0 || c.t !== out[i - 1]?.t);
}
