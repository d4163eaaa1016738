import { ValidationError } from '../../core/errors.ts';
import { DAY_MS, isNamedRange, type NamedRange, namedRangeStart, parseTime, toIso } from '../../core/time.ts';
import {
  type Bar,
  INTERVAL_MS,
  type Interval,
  isInterval,
  type StoredBar,
  type TimeRange,
} from '../../core/types.ts';
import type { Db, Queryable } from '../db.ts';
import { type BulkSpec, bulkUpsert, type UpsertOptions, type UpsertResult } from './bulk.ts';
import { instrumentId, rangeParams, tsParam } from './lookup.ts';

export type { UpsertOptions, UpsertResult } from './bulk.ts';

/** The merge keeps a stored bar untouched unless one of these values differs. */
/** The latest time a JavaScript Date can hold (year 275760), in epoch ms. */
const MAX_TS = 8.64e15;

const CHANGED = `(b.open, b.high, b.low, b.close, b.volume)
  IS DISTINCT FROM (EXCLUDED.open, EXCLUDED.high, EXCLUDED.low, EXCLUDED.close, EXCLUDED.volume)`;

const UPDATE_SET = `open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
  volume = EXCLUDED.volume, source = EXCLUDED.source, quality_score = EXCLUDED.quality_score,
  is_outlier = EXCLUDED.is_outlier, ingested_at = now()`;

function finite(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value);
}

/** market_data.bars columns in the order both `toRow`s write them (the staging copy puts `ord` first). */
const BAR_COLUMNS = [
  'instrument_id',
  'interval',
  'ts',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'source',
  'quality_score',
  'is_outlier',
] as const;

const BAR_SPEC: BulkSpec<StoredBar> = {
  stageColumns: `ord bigint, instrument_id int, interval text, ts bigint, open float8, high float8, low float8,
    close float8, volume float8, source text, quality_score real, is_outlier boolean`,
  copyColumns: ['ord', ...BAR_COLUMNS],
  check(bar) {
    if (!isInterval(bar.interval)) {
      throw new ValidationError(`bar of ${bar.symbol}: unknown interval "${String(bar.interval)}"`);
    }
    if (!Number.isInteger(bar.ts) || Math.abs(bar.ts) > MAX_TS)
      throw new ValidationError(`bar of ${bar.symbol}: bad time ${String(bar.ts)}`);
    if (!finite(bar.open) || !finite(bar.high) || !finite(bar.low) || !finite(bar.close)) {
      throw new ValidationError(
        `bar of ${bar.symbol} at ${toIso(bar.ts)}: open/high/low/close must be numbers`,
      );
    }
    if (bar.volume !== undefined && bar.volume !== null && !finite(bar.volume)) {
      throw new ValidationError(`bar of ${bar.symbol} at ${toIso(bar.ts)}: volume must be a number`);
    }
    if (typeof bar.source !== 'string' || bar.source === '') {
      throw new ValidationError(`bar of ${bar.symbol} at ${toIso(bar.ts)}: source is required`);
    }
    return bar.symbol;
  },
  toRow(bar, ord, ids) {
    return [
      ord,
      ids.get(bar.symbol),
      bar.interval,
      bar.ts,
      bar.open,
      bar.high,
      bar.low,
      bar.close,
      bar.volume ?? 0,
      bar.source,
      bar.qualityScore ?? 1,
      bar.isOutlier ?? false,
    ];
  },
  direct: {
    table: 'market_data.bars',
    columns: BAR_COLUMNS,
    toRow(bar, ids) {
      return [
        ids.get(bar.symbol),
        bar.interval,
        new Date(bar.ts),
        bar.open,
        bar.high,
        bar.low,
        bar.close,
        bar.volume ?? 0,
        bar.source,
        bar.qualityScore ?? 1,
        bar.isOutlier ?? false,
      ];
    },
    overlapQuery(rows, ids) {
      // The time span of each (instrument, interval) series in the batch; one index range probe each.
      const spans = new Map<string, { id: number; interval: string; lo: number; hi: number }>();
      for (const bar of rows) {
        const key = `${bar.symbol}\u0000${bar.interval}`;
        const span = spans.get(key);
        if (span) {
          if (bar.ts < span.lo) span.lo = bar.ts;
          if (bar.ts > span.hi) span.hi = bar.ts;
        } else spans.set(key, { id: ids.get(bar.symbol), interval: bar.interval, lo: bar.ts, hi: bar.ts });
      }
      const list = [...spans.values()];
      return {
        sql: `SELECT EXISTS (
                SELECT 1 FROM unnest($1::int[], $2::text[], $3::float8[], $4::float8[]) AS r(id, iv, lo, hi)
                 WHERE EXISTS (SELECT 1 FROM market_data.bars b
                                WHERE b.instrument_id = r.id AND b.interval = r.iv
                                  AND b.ts BETWEEN to_timestamp(r.lo / 1000) AND to_timestamp(r.hi / 1000))
              ) AS overlaps`,
        params: [
          list.map((x) => x.id),
          list.map((x) => x.interval),
          list.map((x) => x.lo),
          list.map((x) => x.hi),
        ],
      };
    },
  },
  repeatTracker() {
    // Last ts per symbol and interval: a series given in ascending time never repeats a key.
    const last = new Map<string, Map<string, number>>();
    return (bar) => {
      let bySeries = last.get(bar.symbol);
      if (!bySeries) {
        bySeries = new Map();
        last.set(bar.symbol, bySeries);
      }
      const prev = bySeries.get(bar.interval);
      bySeries.set(bar.interval, bar.ts);
      return prev !== undefined && bar.ts <= prev;
    };
  },
  mergeSql(stage, dedupe) {
    // DISTINCT ON keeps, for each key repeated inside the batch, the LAST input row (highest ord).
    return `INSERT INTO market_data.bars AS b
             (instrument_id, interval, ts, open, high, low, close, volume, source, quality_score, is_outlier)
      SELECT ${dedupe ? 'DISTINCT ON (s.instrument_id, s.interval, s.ts)' : ''}
             s.instrument_id, s.interval, to_timestamp(s.ts::float8 / 1000), s.open, s.high, s.low, s.close,
             s.volume, s.source, s.quality_score, s.is_outlier
        FROM ${stage} s
       ${dedupe ? 'ORDER BY s.instrument_id, s.interval, s.ts, s.ord DESC' : ''}
      ON CONFLICT (instrument_id, interval, ts) DO UPDATE SET ${UPDATE_SET}
       WHERE ${CHANGED}`;
  },
};

/**
 * Idempotent bulk upsert of bars. Per batch (default 50,000 rows, one transaction each unless `atomic`):
 * COPY into a temporary staging table + one set-based `INSERT … ON CONFLICT DO UPDATE … WHERE (ohlcv) IS
 * DISTINCT FROM …`, so `stored` counts new or changed bars only and a re-run stores 0. A batch whose series
 * spans hold no stored bar and which repeats no key is COPYed straight into market_data.bars instead (same
 * result, append speed). Within a batch the last row of a repeated (symbol, interval, ts) wins. Unknown
 * symbols → NotFoundError naming them, before that batch is written (earlier batches of a long stream stay
 * stored unless `atomic`). Inside a caller's transaction the batches become savepoints of it.
 */
export function upsertBars(
  db: Db,
  rows: Iterable<StoredBar> | AsyncIterable<StoredBar>,
  opts: UpsertOptions = {},
): Promise<UpsertResult> {
  return bulkUpsert(db, rows, BAR_SPEC, opts);
}

interface BarDbRow {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

const READ_SQL = `SELECT (extract(epoch FROM ts) * 1000)::float8 AS ts, open, high, low, close, volume
    FROM market_data.bars
   WHERE instrument_id = $1 AND interval = $2 AND ts >= $3::timestamptz AND ts < $4::timestamptz
   ORDER BY ts`;

/** A row of `SELECT ts (epoch ms), open, high, low, close, volume` as a Bar. */
function toBar(r: BarDbRow): Bar {
  return {
    ts: Number(r.ts),
    open: Number(r.open),
    high: Number(r.high),
    low: Number(r.low),
    close: Number(r.close),
    volume: Number(r.volume),
  };
}

/** Bars of one instrument and interval with `range.from <= ts < range.to`, ascending. */
export async function readBars(
  db: Queryable,
  symbol: string,
  interval: Interval,
  range: TimeRange,
): Promise<Bar[]> {
  const id = await instrumentId(db, symbol);
  const res = await db.query<BarDbRow>(READ_SQL, [id, interval, ...rangeParams(range)]);
  return res.rows.map(toBar);
}

/**
 * The stored bars just outside `[from, to]` and, when there are any, the first and last inside it: at most
 * four rows (two indexed lookups each way), enough to tell the bar boundaries of the stored series around
 * a batch without reading all of it.
 */
export async function readNeighbourBars(
  db: Queryable,
  symbol: string,
  interval: Interval,
  from: number,
  to: number,
): Promise<Bar[]> {
  const id = await instrumentId(db, symbol);
  const res = await db.query<BarDbRow>(
    `SELECT (extract(epoch FROM ts) * 1000)::float8 AS ts, open, high, low, close, volume FROM (
       (SELECT * FROM market_data.bars WHERE instrument_id = $1 AND interval = $2 AND ts < $3::timestamptz
         ORDER BY ts DESC LIMIT 1)
       UNION (SELECT * FROM market_data.bars WHERE instrument_id = $1 AND interval = $2 AND ts >= $3::timestamptz
         ORDER BY ts LIMIT 1)
       UNION (SELECT * FROM market_data.bars WHERE instrument_id = $1 AND interval = $2 AND ts <= $4::timestamptz
         ORDER BY ts DESC LIMIT 1)
       UNION (SELECT * FROM market_data.bars WHERE instrument_id = $1 AND interval = $2 AND ts > $4::timestamptz
         ORDER BY ts LIMIT 1)
     ) b ORDER BY ts`,
    [id, interval, tsParam(from), tsParam(to)],
  );
  return res.rows.map(toBar);
}

/** The same bars as `readBars`, as columns for the analytics (Float64Array each, `ts` in epoch ms). */
export async function readBarColumns(
  db: Queryable,
  symbol: string,
  interval: Interval,
  range: TimeRange,
): Promise<{
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}> {
  const id = await instrumentId(db, symbol);
  const res = await db.query<BarDbRow>(READ_SQL, [id, interval, ...rangeParams(range)]);
  const n = res.rows.length;
  const out = {
    ts: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const r = res.rows[i] as BarDbRow;
    out.ts[i] = r.ts;
    out.open[i] = r.open;
    out.high[i] = r.high;
    out.low[i] = r.low;
    out.close[i] = r.close;
    out.volume[i] = r.volume;
  }
  return out;
}

/** High, low and close columns of one instrument (epoch-ms `ts`), as readBarsHlcMany returns them. */
export interface HlcColumns {
  ts: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

/**
 * All stored bars of `interval` for several instruments in one query (instrument id → columns, ordered by
 * time; an instrument without bars is absent). One statement instead of one per instrument: on the embedded
 * store each statement costs a round trip through PGlite, which dominates for a universe of short series.
 */
export async function readBarsHlcMany(
  db: Queryable,
  ids: readonly number[],
  interval: Interval,
  range: TimeRange = { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY },
): Promise<Map<number, HlcColumns>> {
  const out = new Map<number, HlcColumns>();
  if (ids.length === 0) return out;
  const res = await db.query<{ id: number; ts: number; high: number; low: number; close: number }>(
    `SELECT instrument_id AS id, (extract(epoch FROM ts) * 1000)::float8 AS ts, high, low, close
       FROM market_data.bars
      WHERE instrument_id = ANY($1::int[]) AND interval = $2 AND ts >= $3::timestamptz AND ts < $4::timestamptz
      ORDER BY instrument_id, ts`,
    [[...ids], interval, ...rangeParams(range)],
  );
  const rows = res.rows;
  let start = 0;
  while (start < rows.length) {
    const id = Number(rows[start]?.id);
    let end = start;
    while (end < rows.length && Number(rows[end]?.id) === id) end++;
    const n = end - start;
    const cols = {
      ts: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: new Float64Array(n),
    };
    for (let i = 0; i < n; i++) {
      const r = rows[start + i] as (typeof rows)[number];
      cols.ts[i] = r.ts;
      cols.high[i] = r.high;
      cols.low[i] = r.low;
      cols.close[i] = r.close;
    }
    out.set(id, cols);
    start = end;
  }
  return out;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Turns what users type into a half-open [from, to) range ending at or before `now`: a named range
 * (`1D 7D 1M 3M 6M YTD 1Y 3Y 5Y MAX`, any case) ends at `now`; `{from, to}` takes ISO dates/times (see
 * `parseTime`), a missing `from` meaning the epoch and a missing `to` meaning `now`. A date-only `to`
 * (`2024-01-31`) includes that whole UTC day.
 */
export function resolveRange(range: NamedRange | { from?: string; to?: string }, now: number): TimeRange {
  if (typeof range === 'string') {
    const name = range.toUpperCase();
    if (!isNamedRange(name)) {
      throw new ValidationError(`range: "${range}" is not one of 1D 7D 1M 3M 6M YTD 1Y 3Y 5Y MAX`);
    }
    return { from: namedRangeStart(name as NamedRange, now), to: now };
  }
  const from = range.from === undefined ? 0 : parseTime(range.from, 'from');
  let to = now;
  if (range.to !== undefined) {
    to = parseTime(range.to, 'to');
    if (DATE_ONLY.test(range.to.trim())) to += DAY_MS;
  }
  if (from > to) throw new ValidationError(`range: from ${toIso(from)} is after to ${toIso(to)}`);
  return { from, to };
}

interface LatestDbRow extends BarDbRow {
  symbol: string;
  interval: Interval;
  source: string;
  quality_score: number;
  is_outlier: boolean;
}

/** The newest bar of `interval` per instrument (instruments without such bars are left out), by symbol. */
export async function latestBars(
  db: Queryable,
  opts: { interval: Interval; symbols?: readonly string[] },
): Promise<StoredBar[]> {
  const params: unknown[] = [opts.interval];
  let where = '';
  if (opts.symbols !== undefined) {
    params.push([...opts.symbols]);
    where = 'WHERE i.symbol = ANY($2::text[])';
  }
  // A lateral LIMIT 1 per instrument walks the primary key backwards instead of scanning all bars.
  const res = await db.query<LatestDbRow>(
    `SELECT i.symbol, b.interval, (extract(epoch FROM b.ts) * 1000)::float8 AS ts, b.open, b.high, b.low,
            b.close, b.volume, b.source, b.quality_score, b.is_outlier
       FROM market_data.instruments i
       CROSS JOIN LATERAL (
         SELECT * FROM market_data.bars x WHERE x.instrument_id = i.id AND x.interval = $1
          ORDER BY x.ts DESC LIMIT 1) b
       ${where}
      ORDER BY i.symbol`,
    params,
  );
  return res.rows.map((r) => ({
    symbol: r.symbol,
    interval: r.interval,
    ts: Number(r.ts),
    open: Number(r.open),
    high: Number(r.high),
    low: Number(r.low),
    close: Number(r.close),
    volume: Number(r.volume),
    source: r.source,
    qualityScore: Number(r.quality_score),
    isOutlier: r.is_outlier,
  }));
}

/**
 * Aggregates finer bars into coarser ones: open = first, high = max, low = min, close = last, volume = sum,
 * quality = the worst constituent's, outlier if any constituent is. Buckets are aligned to the Unix epoch,
 * so `1d` buckets are UTC days and `4h` buckets start at 00, 04, … UTC. A `range` is widened to whole
 * buckets so a bucket is never built from part of its bars. Rolled-up bars carry source `rollup:<from>`;
 * a bar of the target interval loaded from a provider (any other source) is never overwritten and counts
 * as unchanged. The bucket still in progress is written from the bars so far and refreshed on the next run.
 */
export async function rollupBars(
  db: Db,
  symbol: string,
  from: Interval,
  to: Interval,
  range?: TimeRange,
): Promise<UpsertResult> {
  const fromMs = INTERVAL_MS[from];
  const toMs = INTERVAL_MS[to];
  if (toMs <= fromMs || toMs % fromMs !== 0) {
    throw new ValidationError(`rollup: cannot build ${to} bars from ${from} bars (need a coarser multiple)`);
  }
  const id = await instrumentId(db, symbol);
  const lo = range ? Math.floor(range.from / toMs) * toMs : Number.NEGATIVE_INFINITY;
  const hi = range ? Math.ceil(range.to / toMs) * toMs : Number.POSITIVE_INFINITY;
  const res = await db.query<{ total: number; stored: number }>(
    `WITH agg AS (
       SELECT date_bin($5::interval, ts, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS bucket,
              (array_agg(open ORDER BY ts))[1] AS open, max(high) AS high, min(low) AS low,
              (array_agg(close ORDER BY ts DESC))[1] AS close, sum(volume) AS volume,
              min(quality_score) AS quality_score, bool_or(is_outlier) AS is_outlier
         FROM market_data.bars
        WHERE instrument_id = $1 AND interval = $2 AND ts >= $3::timestamptz AND ts < $4::timestamptz
        GROUP BY 1),
     ins AS (
       INSERT INTO market_data.bars AS b
              (instrument_id, interval, ts, open, high, low, close, volume, source, quality_score, is_outlier)
       SELECT $1, $6, bucket, open, high, low, close, volume, 'rollup:' || $2, quality_score, is_outlier
         FROM agg
       ON CONFLICT (instrument_id, interval, ts) DO UPDATE SET ${UPDATE_SET}
        WHERE b.source LIKE 'rollup:%' AND ${CHANGED}
       RETURNING 1)
     SELECT (SELECT count(*) FROM agg)::int AS total, (SELECT count(*) FROM ins)::int AS stored`,
    [id, from, tsParam(lo), tsParam(hi), `${toMs / 1000} seconds`, to],
  );
  const total = Number(res.rows[0]?.total ?? 0);
  const stored = Number(res.rows[0]?.stored ?? 0);
  return { stored, unchanged: total - stored };
}

/** Number of stored bars (all instruments and intervals). */
export async function countBars(db: Queryable): Promise<number> {
  const res = await db.query<{ n: number }>('SELECT count(*)::float8 AS n FROM market_data.bars');
  return Number(res.rows[0]?.n ?? 0);
}
