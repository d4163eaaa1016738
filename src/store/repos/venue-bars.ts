/** One-minute bars per venue (market_data.venue_bars), written by the live streams. */
import type { Bar, TimeRange } from '../../core/types.ts';
import type { Queryable } from '../db.ts';
import { instrumentId, rangeParams } from './lookup.ts';

export interface VenueBar extends Bar {
  symbol: string;
  venue: string;
  /** Trades aggregated; undefined for bars fetched from REST. */
  trades?: number;
  origin: 'stream' | 'rest';
}

/**
 * Idempotent upsert (one set-based statement over arrays; a stream writes a few bars a second): a bar is
 * rewritten only when its values differ, so `stored` counts new or changed bars. Unknown symbols are skipped.
 */
export async function upsertVenueBars(db: Queryable, bars: readonly VenueBar[]): Promise<number> {
  if (bars.length === 0) return 0;
  const res = await db.query(
    `INSERT INTO market_data.venue_bars AS b (instrument_id, venue, ts, open, high, low, close, volume, trades, origin)
     SELECT DISTINCT ON (i.id, r.venue, r.ts) i.id, r.venue, to_timestamp(r.ts / 1000), r.open, r.high, r.low,
            r.close, r.volume, r.trades, r.origin
       FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[],
                   $8::float8[], $9::int[], $10::text[]) WITH ORDINALITY
            AS r(symbol, venue, ts, open, high, low, close, volume, trades, origin, ord)
       JOIN market_data.instruments i ON i.symbol = r.symbol
      ORDER BY i.id, r.venue, r.ts, r.ord DESC
     ON CONFLICT (instrument_id, venue, ts) DO UPDATE SET open = EXCLUDED.open, high = EXCLUDED.high,
        low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume, trades = EXCLUDED.trades,
        origin = EXCLUDED.origin, ingested_at = now()
      WHERE (b.open, b.high, b.low, b.close, b.volume) IS DISTINCT FROM
            (EXCLUDED.open, EXCLUDED.high, EXCLUDED.low, EXCLUDED.close, EXCLUDED.volume)`,
    [
      bars.map((b) => b.symbol),
      bars.map((b) => b.venue),
      bars.map((b) => b.ts),
      bars.map((b) => b.open),
      bars.map((b) => b.high),
      bars.map((b) => b.low),
      bars.map((b) => b.close),
      bars.map((b) => b.volume),
      bars.map((b) => b.trades ?? null),
      bars.map((b) => b.origin),
    ],
  );
  return res.rowCount;
}

/** Bars of one instrument on one venue with `range.from <= ts < range.to`, ascending. */
export async function readVenueBars(
  db: Queryable,
  symbol: string,
  venue: string,
  range: TimeRange,
): Promise<Array<Bar & { trades: number | null; origin: string }>> {
  const id = await instrumentId(db, symbol);
  const res = await db.query<Bar & { trades: number | null; origin: string }>(
    `SELECT (extract(epoch FROM ts) * 1000)::float8 AS ts, open, high, low, close, volume, trades, origin
       FROM market_data.venue_bars
      WHERE instrument_id = $1 AND venue = $2 AND ts >= $3::timestamptz AND ts < $4::timestamptz ORDER BY ts`,
    [id, venue, ...rangeParams(range)],
  );
  return res.rows.map((r) => ({ ...r, ts: Number(r.ts) }));
}

/** Open time (epoch ms) of the last stored bar of the instrument on the venue, or undefined. */
export async function lastVenueBarTs(
  db: Queryable,
  symbol: string,
  venue: string,
): Promise<number | undefined> {
  const res = await db.query<{ ts: number | null }>(
    `SELECT (extract(epoch FROM max(b.ts)) * 1000)::float8 AS ts FROM market_data.venue_bars b
       JOIN market_data.instruments i ON i.id = b.instrument_id WHERE i.symbol = $1 AND b.venue = $2`,
    [symbol, venue],
  );
  const ts = res.rows[0]?.ts;
  return ts === null || ts === undefined ? undefined : Number(ts);
}
