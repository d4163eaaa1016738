/**
 * Quarantine for the non-price records of the economic, news and events loaders: the same `ops.quarantine`
 * table as bars and prices (raw row, source, rule, reason; never dropped), with `interval` naming the kind
 * of record ('economic', 'news', 'events:dividend', …) so the quarantine commands can tell them apart.
 */
import type { Queryable } from '../../store/db.ts';

export interface RecordRejection {
  /** Our symbol or series id the record belongs to, when known. */
  symbol: string | null;
  /** Record kind, stored in `ops.quarantine.interval`. */
  kind: string;
  /** UTC ms the record is about (observation date, publication time), when readable. */
  ts: number | null;
  raw: Record<string, unknown>;
  rule: string;
  reason: string;
}

export function quarantineRecords(
  db: Queryable,
  rejected: readonly RecordRejection[],
  source: string,
): Promise<number> {
  if (rejected.length === 0) return Promise.resolve(0);
  return db.copyRows(
    'ops.quarantine',
    ['symbol', 'interval', 'source', 'rule', 'reason', 'raw', 'ts'],
    rejected.map((r) => [
      r.symbol,
      r.kind,
      source,
      r.rule,
      r.reason,
      Object.fromEntries(
        Object.entries(r.raw).map(([k, v]) => [
          k,
          typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
        ]),
      ),
      r.ts !== null && Number.isFinite(r.ts) ? new Date(r.ts) : null,
    ]),
  );
}

/** YYYY-MM-DD that is a real calendar date. */
export function isIsoDate(text: string | null | undefined): text is string {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const t = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === text;
}

/** Epoch ms of a YYYY-MM-DD date at 00:00 UTC (NaN when unreadable). */
export function dateMs(text: string): number {
  return Date.parse(`${text}T00:00:00Z`);
}
