/**
 * Plain-SQL repository for the analytics results in schema `derived` (migration 020). Every write is an
 * upsert on the table's natural key, so recomputing and rewriting is idempotent. Bulk rows travel as
 * parallel arrays through `unnest`, one statement per call.
 */
import type { Interval } from '../../core/types.ts';
import type { Queryable } from '../db.ts';
import { tsParam } from './lookup.ts';

const nullable = (x: number): number | null => (Number.isFinite(x) ? x : null);

export interface VolatilityColumns {
  ts: ArrayLike<number>;
  hv_20: ArrayLike<number>;
  hv_50: ArrayLike<number>;
  sma_15: ArrayLike<number>;
  sma_30: ArrayLike<number>;
  sma_50: ArrayLike<number>;
  bb_upper: ArrayLike<number>;
  bb_middle: ArrayLike<number>;
  bb_lower: ArrayLike<number>;
  atr_14: ArrayLike<number>;
}

/** The volatility metric columns of `derived.volatility_metrics`, in table order (one list for writers and readers). */
export const VOL_COLUMNS = [
  'hv_20',
  'hv_50',
  'sma_15',
  'sma_30',
  'sma_50',
  'bb_upper',
  'bb_middle',
  'bb_lower',
  'atr_14',
] as const;

/** Several instruments' metrics rows as parallel columns: `ids[i]` is the instrument of row i. */
export interface VolatilityBatch extends VolatilityColumns {
  ids: ArrayLike<number>;
}

/**
 * Upserts the metrics rows of many instruments in one statement (NaN → NULL); the batched form of
 * upsertVolatilityMetrics. Timestamps travel as epoch-ms float8, not ISO text: the arrays are the bulk of
 * what goes through the driver, and a number is a fraction of a date string's cost to write and parse.
 */
export async function upsertVolatilityBatch(
  db: Queryable,
  interval: Interval,
  batch: VolatilityBatch,
): Promise<number> {
  if (batch.ts.length === 0) return 0;
  const arrays = VOL_COLUMNS.map((c) => Array.from(batch[c], nullable));
  const list = VOL_COLUMNS.map((_, i) => `$${i + 4}::float8[]`).join(', ');
  const res = await db.query(
    `INSERT INTO derived.volatility_metrics (instrument_id, interval, ts, ${VOL_COLUMNS.join(', ')})
     SELECT u.id, $1, to_timestamp(u.ms / 1000.0), ${VOL_COLUMNS.map((c) => `u.${c}`).join(', ')}
       FROM unnest($2::int[], $3::float8[], ${list}) AS u(id, ms, ${VOL_COLUMNS.join(', ')})
     ON CONFLICT (instrument_id, interval, ts) DO UPDATE SET
       ${VOL_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, calculated_at = now()`,
    [interval, Array.from(batch.ids), Array.from(batch.ts), ...arrays],
  );
  return res.rowCount;
}

/** volatilityResumeFrom for several instruments in one query: instrument id → resume point (absent = all). */
export async function volatilityResumeMany(
  db: Queryable,
  ids: readonly number[],
  interval: Interval,
): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const res = await db.query<{ id: number; last: number; changed: boolean }>(
    `WITH s AS (SELECT instrument_id, max(ts) AS last, max(calculated_at) AS calc
                  FROM derived.volatility_metrics
                 WHERE instrument_id = ANY($1::int[]) AND interval = $2 GROUP BY instrument_id)
     SELECT s.instrument_id AS id, (extract(epoch FROM s.last) * 1000)::float8 AS last,
            EXISTS (SELECT 1 FROM market_data.bars b
                     WHERE b.instrument_id = s.instrument_id AND b.interval = $2 AND b.ts <= s.last
                       AND b.ingested_at >= s.calc) AS changed
       FROM s`,
    [[...ids], interval],
  );
  const out = new Map<number, number>();
  for (const r of res.rows) if (!r.changed && r.last !== null) out.set(Number(r.id), Number(r.last));
  return out;
}

export interface VolatilityRow {
  symbol: string;
  interval: Interval;
  ts: number;
  hv_20: number | null;
  hv_50: number | null;
  sma_15: number | null;
  sma_30: number | null;
  sma_50: number | null;
  bb_upper: number | null;
  bb_middle: number | null;
  bb_lower: number | null;
  atr_14: number | null;
}

/** The newest stored metrics row per instrument (and interval), ordered by symbol. */
export async function latestVolatilityMetrics(
  db: Queryable,
  interval: Interval,
  symbols?: readonly string[],
): Promise<VolatilityRow[]> {
  const res = await db.query<VolatilityRow>(
    `SELECT DISTINCT ON (i.symbol) i.symbol, v.interval, (extract(epoch FROM v.ts) * 1000)::float8 AS ts,
            ${VOL_COLUMNS.map((c) => `v.${c}`).join(', ')}
       FROM derived.volatility_metrics v JOIN market_data.instruments i ON i.id = v.instrument_id
      WHERE v.interval = $1 AND ($2::text[] IS NULL OR i.symbol = ANY($2::text[]))
      ORDER BY i.symbol, v.ts DESC`,
    [interval, symbols ? [...symbols] : null],
  );
  return res.rows.map((r) => ({ ...r, ts: Number(r.ts) }));
}

export interface StoredCorrelation {
  asset_1: string;
  asset_2: string;
  correlation: number | null;
  data_points: number;
  risk_level: string | null;
}

/** Upserts one window's pairs (asset_1 < asset_2) computed as of `asOf`. */
export async function upsertCorrelations(
  db: Queryable,
  windowDays: number,
  asOf: number,
  pairs: readonly StoredCorrelation[],
): Promise<number> {
  if (pairs.length === 0) return 0;
  const res = await db.query(
    `INSERT INTO derived.asset_correlations
       (asset_1, asset_2, window_days, correlation, data_points, risk_level, as_of)
     SELECT u.a1, u.a2, $1, u.r, u.n, u.lvl, $2::timestamptz
       FROM unnest($3::text[], $4::text[], $5::float8[], $6::int[], $7::text[]) AS u(a1, a2, r, n, lvl)
     ON CONFLICT (asset_1, asset_2, window_days) DO UPDATE SET
       correlation = EXCLUDED.correlation, data_points = EXCLUDED.data_points,
       risk_level = EXCLUDED.risk_level, as_of = EXCLUDED.as_of, calculated_at = now()`,
    [
      windowDays,
      tsParam(asOf),
      pairs.map((p) => p.asset_1),
      pairs.map((p) => p.asset_2),
      pairs.map((p) => p.correlation),
      pairs.map((p) => p.data_points),
      pairs.map((p) => p.risk_level),
    ],
  );
  return res.rowCount;
}

/** The latest stored pairs of a window (optionally only among `assets`), by |ρ| descending. */
export async function readLatestCorrelations(
  db: Queryable,
  windowDays: number,
  assets?: readonly string[],
): Promise<Array<StoredCorrelation & { as_of: number }>> {
  const res = await db.query<StoredCorrelation & { as_of: number }>(
    `SELECT asset_1, asset_2, correlation, data_points, risk_level,
            (extract(epoch FROM as_of) * 1000)::float8 AS as_of
       FROM derived.latest_correlations
      WHERE window_days = $1
        AND ($2::text[] IS NULL OR (asset_1 = ANY($2::text[]) AND asset_2 = ANY($2::text[])))
      ORDER BY abs(correlation) DESC NULLS LAST, asset_1, asset_2`,
    [windowDays, assets ? [...assets] : null],
  );
  return res.rows.map((r) => ({ ...r, as_of: Number(r.as_of), data_points: Number(r.data_points) }));
}

export interface StoredBestPair {
  category: string;
  rank: number;
  asset_1: string;
  asset_2: string;
  correlation: number;
  data_points: number;
  window_days: number;
  reason: string;
}

/** Replaces a window's best pairs with `pairs` (one transaction's worth: delete, then insert). */
export async function replaceBestPairs(
  db: Queryable,
  windowDays: number,
  asOf: number,
  pairs: readonly StoredBestPair[],
): Promise<number> {
  await db.query('DELETE FROM derived.best_pairs WHERE window_days = $1', [windowDays]);
  if (pairs.length === 0) return 0;
  const res = await db.query(
    `INSERT INTO derived.best_pairs
       (window_days, category, rank, asset_1, asset_2, correlation, data_points, reason, as_of)
     SELECT $1, u.c, u.k, u.a1, u.a2, u.r, u.n, u.why, $2::timestamptz
       FROM unnest($3::text[], $4::int[], $5::text[], $6::text[], $7::float8[], $8::int[], $9::text[])
         AS u(c, k, a1, a2, r, n, why)`,
    [
      windowDays,
      tsParam(asOf),
      pairs.map((p) => p.category),
      pairs.map((p) => p.rank),
      pairs.map((p) => p.asset_1),
      pairs.map((p) => p.asset_2),
      pairs.map((p) => p.correlation),
      pairs.map((p) => p.data_points),
      pairs.map((p) => p.reason),
    ],
  );
  return res.rowCount;
}

export async function readBestPairs(db: Queryable, windowDays: number): Promise<StoredBestPair[]> {
  const res = await db.query<StoredBestPair>(
    `SELECT category, rank, asset_1, asset_2, correlation, data_points, window_days, reason
       FROM derived.best_pairs WHERE window_days = $1
      ORDER BY array_position(ARRAY['negative', 'uncorrelated', 'moderate', 'high'], category), rank`,
    [windowDays],
  );
  return res.rows;
}

/** A depeg event in the shape of `analytics depegs --json` (times as ISO strings). */
export interface DepegEventRow {
  asset: string;
  start: string;
  end: string | null;
  min_price: number;
  min_price_at: string;
  duration_seconds: number;
  recovery_time_seconds: number | null;
  severity_score: number;
  source: string;
}

export interface DepegEventInput {
  asset: string;
  start: number;
  end: number | null;
  minPrice: number;
  minPriceAt: number;
  durationSeconds: number;
  recoveryTimeSeconds: number | null;
  severityScore: number;
  peg: number;
  threshold: number;
  source: string;
}

/** Upserts events on (asset, start_time): an event still under way is updated as it grows. */
export async function upsertDepegEvents(db: Queryable, events: readonly DepegEventInput[]): Promise<number> {
  if (events.length === 0) return 0;
  const res = await db.query(
    `INSERT INTO derived.depeg_events (asset, start_time, end_time, min_price, min_price_at, duration_seconds,
       recovery_time_seconds, severity_score, peg, threshold, source)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::float8[], $5::timestamptz[],
       $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::text[])
     ON CONFLICT (asset, start_time) DO UPDATE SET
       end_time = EXCLUDED.end_time, min_price = EXCLUDED.min_price, min_price_at = EXCLUDED.min_price_at,
       duration_seconds = EXCLUDED.duration_seconds, recovery_time_seconds = EXCLUDED.recovery_time_seconds,
       severity_score = EXCLUDED.severity_score, peg = EXCLUDED.peg, threshold = EXCLUDED.threshold,
       source = EXCLUDED.source, detected_at = now()`,
    [
      events.map((e) => e.asset),
      events.map((e) => tsParam(e.start)),
      events.map((e) => (e.end === null ? null : tsParam(e.end))),
      events.map((e) => e.minPrice),
      events.map((e) => tsParam(e.minPriceAt)),
      events.map((e) => e.durationSeconds),
      events.map((e) => e.recoveryTimeSeconds),
      events.map((e) => e.severityScore),
      events.map((e) => e.peg),
      events.map((e) => e.threshold),
      events.map((e) => e.source),
    ],
  );
  return res.rowCount;
}

const ISO = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Stored events, newest first; `since` keeps events still under way or ended at/after it. */
export async function readDepegEvents(
  db: Queryable,
  filter: { asset?: string; since?: number } = {},
): Promise<DepegEventRow[]> {
  const res = await db.query<DepegEventRow>(
    `SELECT asset, ${ISO('start_time')} AS start, ${ISO('end_time')} AS "end", min_price,
            ${ISO('min_price_at')} AS min_price_at, duration_seconds, recovery_time_seconds, severity_score, source
       FROM derived.depeg_events
      WHERE ($1::text IS NULL OR asset = $1)
        AND ($2::timestamptz IS NULL OR coalesce(end_time, 'infinity') >= $2::timestamptz)
      ORDER BY start_time DESC, asset`,
    [filter.asset ?? null, filter.since === undefined ? null : tsParam(filter.since)],
  );
  return res.rows.map((r) => ({
    ...r,
    min_price: Number(r.min_price),
    duration_seconds: Number(r.duration_seconds),
    recovery_time_seconds: r.recovery_time_seconds === null ? null : Number(r.recovery_time_seconds),
    severity_score: Number(r.severity_score),
  }));
}

export interface DepegStatisticsRow {
  asset: string;
  event_count: number;
  worst_price: number;
  max_severity: number;
  avg_duration_seconds: number;
  avg_recovery_time_seconds: number | null;
}

export async function readDepegStatistics(db: Queryable): Promise<DepegStatisticsRow[]> {
  const res = await db.query<DepegStatisticsRow>(
    `SELECT asset, event_count, worst_price, max_severity, avg_duration_seconds, avg_recovery_time_seconds
       FROM derived.depeg_statistics ORDER BY asset`,
  );
  return res.rows.map((r) => ({
    ...r,
    event_count: Number(r.event_count),
    worst_price: Number(r.worst_price),
    max_severity: Number(r.max_severity),
    avg_duration_seconds: Number(r.avg_duration_seconds),
    avg_recovery_time_seconds:
      r.avg_recovery_time_seconds === null ? null : Number(r.avg_recovery_time_seconds),
  }));
}
