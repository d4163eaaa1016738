import type { Interval } from '../core/types.ts';
import type { Queryable } from '../store/db.ts';

/** The non-bar feeds, whose watermarks sit in `ops.watermarks` with the feed's name as the interval. */
export type FeedKind = 'economic' | 'news' | 'events' | 'supply';

/**
 * A watermark is the open time of the newest bar (or economic/news/events record) loaded for an instrument,
 * interval (or feed) and source: the next daily run starts there (minus an overlap). It only moves forward.
 * The one place `ops.watermarks` is written.
 */
export async function recordWatermark(
  db: Queryable,
  symbol: string,
  interval: Interval | FeedKind,
  source: string,
  ts: number,
): Promise<void> {
  await db.query(
    `INSERT INTO ops.watermarks (instrument_id, interval, source, watermark, updated_at)
     SELECT id, $2, $3, $4::timestamptz, now() FROM market_data.instruments WHERE symbol = $1
     ON CONFLICT (instrument_id, interval, source) DO UPDATE
       SET watermark = GREATEST(ops.watermarks.watermark, EXCLUDED.watermark), updated_at = now()`,
    [symbol, interval, source, new Date(ts).toISOString()],
  );
}

/** The watermark of an instrument, interval (or feed) and source, UTC ms, or null. */
export async function readWatermark(
  db: Queryable,
  symbol: string,
  interval: Interval | FeedKind,
  source: string,
): Promise<number | null> {
  const res = await db.query<{ watermark: Date | string }>(
    `SELECT w.watermark FROM ops.watermarks w JOIN market_data.instruments i ON i.id = w.instrument_id
      WHERE i.symbol = $1 AND w.interval = $2 AND w.source = $3`,
    [symbol, interval, source],
  );
  const row = res.rows[0];
  return row ? new Date(row.watermark).getTime() : null;
}

export interface WatermarkRow {
  symbol: string;
  interval: Interval;
  source: string;
  watermark: string;
}

export async function listWatermarks(db: Queryable, symbol?: string): Promise<WatermarkRow[]> {
  const res = await db.query<{ symbol: string; interval: Interval; source: string; watermark: Date }>(
    `SELECT i.symbol, w.interval, w.source, w.watermark FROM ops.watermarks w
       JOIN market_data.instruments i ON i.id = w.instrument_id
      WHERE $1::text IS NULL OR i.symbol = $1 ORDER BY i.symbol, w.interval, w.source`,
    [symbol ?? null],
  );
  return res.rows.map((r) => ({ ...r, watermark: new Date(r.watermark).toISOString() }));
}

/** First and last stored bar and the count, for planning. */
export async function readSpan(
  db: Queryable,
  symbol: string,
  interval: Interval,
): Promise<{ first: number | null; last: number | null; count: number }> {
  const res = await db.query<{ first: Date | null; last: Date | null; n: number }>(
    `SELECT min(b.ts) AS first, max(b.ts) AS last, count(*)::int AS n
       FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id
      WHERE i.symbol = $1 AND b.interval = $2`,
    [symbol, interval],
  );
  const r = res.rows[0];
  return {
    first: r?.first ? new Date(r.first).getTime() : null,
    last: r?.last ? new Date(r.last).getTime() : null,
    count: Number(r?.n ?? 0),
  };
}
