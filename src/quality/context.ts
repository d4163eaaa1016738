/**
 * Stored neighbours of a batch, to pass as the gate's `stored` context: the rows at the batch's times
 * (duplicates) and `outlierWindow` + 2 intervals on each side (so a spike on the first or last row of an
 * incremental batch is judged with the history around it).
 */
import type { Interval, PricePoint, StoredBar } from '../core/types.ts';
import { INTERVAL_MS } from '../core/types.ts';
import type { Queryable } from '../store/db.ts';
import { readBars, readNeighbourBars } from '../store/repos/bars.ts';
import { readPrices } from '../store/repos/prices.ts';
import type { ReferencePoint } from './gate.ts';
import { DEFAULT_THRESHOLDS, type QualityThresholds } from './thresholds.ts';

function span(rows: ReadonlyArray<{ ts: number }>): { lo: number; hi: number } | null {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    if (!Number.isFinite(r.ts)) continue;
    lo = Math.min(lo, r.ts);
    hi = Math.max(hi, r.ts);
  }
  return lo <= hi ? { lo, hi } : null;
}

/** Stored bars around a batch of one symbol and interval (source reported as `store`). */
export async function storedBarContext(
  db: Queryable,
  symbol: string,
  interval: Interval,
  rows: readonly StoredBar[],
  t: Pick<QualityThresholds, 'outlierWindow'> = DEFAULT_THRESHOLDS,
): Promise<StoredBar[]> {
  const s = span(rows);
  if (!s) return [];
  const pad = (t.outlierWindow + 2) * INTERVAL_MS[interval];
  const bars = await readBars(db, symbol, interval, { from: s.lo - pad, to: s.hi + pad + 1 });
  return bars.map((b) => ({ ...b, symbol, interval, source: 'store' }));
}

/**
 * Stored bars for loads that pass them as `GateContext.aligned` (backfills, imports): the bars around the
 * batch's span that tell the series' bar boundaries, plus the stored bars at and `outlierWindow` + 2 intervals
 * around the batch's rows, so a re-sent value for a stored bar is judged against its stored neighbours
 * (`replaces_outlier`) and the edges of a page are judged in context. Into an empty range both reads are
 * empty and cheap.
 */
export async function storedBoundaryBars(
  db: Queryable,
  symbol: string,
  interval: Interval,
  rows: readonly StoredBar[],
  t: Pick<QualityThresholds, 'outlierWindow'> = DEFAULT_THRESHOLDS,
): Promise<StoredBar[]> {
  const s = span(rows);
  if (!s) return [];
  const [edges, around] = await Promise.all([
    readNeighbourBars(db, symbol, interval, s.lo, s.hi),
    storedBarContext(db, symbol, interval, rows, t),
  ]);
  const byTs = new Map<number, StoredBar>();
  for (const b of edges) byTs.set(b.ts, { ...b, symbol, interval, source: 'store' });
  for (const b of around) byTs.set(b.ts, b);
  return [...byTs.values()].sort((a, b) => a.ts - b.ts);
}

/**
 * Stored point prices around a batch. Points are irregular, so the pad is `padMs`
 * (default: `outlierWindow` + 2 hours).
 */
export async function storedPriceContext(
  db: Queryable,
  symbol: string,
  rows: readonly PricePoint[],
  t: Pick<QualityThresholds, 'outlierWindow'> = DEFAULT_THRESHOLDS,
  padMs = (t.outlierWindow + 2) * 3_600_000,
): Promise<PricePoint[]> {
  const s = span(rows);
  if (!s) return [];
  return readPrices(db, symbol, { from: s.lo - padMs, to: s.hi + padMs + 1 });
}

/**
 * Bars of the same symbol and interval that another source stored over a batch's span (one interval either
 * side), as the gate's second-source `reference`: close, high and low each (a wick the other venue printed
 * too is real). Bars keep one row per slot, so these are the slots another source filled before this batch
 * (e.g. Binance's bars under a CoinGecko daily run's overlap). One indexed range read.
 */
export async function otherSourceReference(
  db: Queryable,
  symbol: string,
  interval: Interval,
  rows: readonly StoredBar[],
  source: string,
): Promise<ReferencePoint[]> {
  const s = span(rows);
  if (!s) return [];
  const step = INTERVAL_MS[interval];
  const res = await db.query<{ ts: number; high: number; low: number; close: number }>(
    `SELECT (extract(epoch FROM b.ts) * 1000)::float8 AS ts, b.high, b.low, b.close
       FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id
      WHERE i.symbol = $1 AND b.interval = $2 AND b.ts >= $3::timestamptz AND b.ts <= $4::timestamptz
        AND b.source <> $5
      ORDER BY b.ts`,
    [symbol, interval, new Date(s.lo - step).toISOString(), new Date(s.hi + step).toISOString(), source],
  );
  return res.rows.flatMap((r) => {
    const ts = Number(r.ts);
    return [Number(r.close), Number(r.high), Number(r.low)].map((price) => ({ ts, price }));
  });
}
