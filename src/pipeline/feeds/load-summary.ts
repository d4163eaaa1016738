/**
 * The run summary every economic/news/events load returns: the shape of `ingest … --json` for prices
 * (`{read, stored, unchanged, quarantined, failed, duration_ms, instruments}`), plus the mode.
 */
import { describeError } from '../../core/errors.ts';
import type { LoadSummary } from '../../core/types.ts';
import type { Queryable } from '../../store/db.ts';
import { isUnreachable } from '../availability.ts';

export type RecordLoadMode = 'incremental' | 'full';

export interface RecordLoadSummary extends LoadSummary {
  mode: RecordLoadMode;
  /** Items no provider could be asked for (network, 5xx, rejected key, quota): jobs skip when all are. */
  unavailable?: number;
}

export interface ItemOutcome {
  symbol: string;
  read: number;
  stored: number;
  unchanged: number;
  quarantined: number;
  error?: unknown;
}

export function summarize(
  mode: RecordLoadMode,
  started: number,
  items: readonly ItemOutcome[],
): RecordLoadSummary {
  const sum = (f: (i: ItemOutcome) => number) => items.reduce((acc, i) => acc + f(i), 0);
  return {
    mode,
    read: sum((i) => i.read),
    stored: sum((i) => i.stored),
    unchanged: sum((i) => i.unchanged),
    quarantined: sum((i) => i.quarantined),
    failed: items.filter((i) => i.error !== undefined).length,
    unavailable: items.filter((i) => isUnreachable(i.error)).length,
    duration_ms: Math.max(0, Date.now() - started),
    instruments: items.map((i) => ({
      symbol: i.symbol,
      stored: i.stored,
      quarantined: i.quarantined,
      unchanged: i.unchanged,
      ...(i.error === undefined ? {} : { error: describeError(i.error) }),
    })),
  };
}

/** Records the newest loaded time of a non-bar feed in `ops.watermarks` (interval = the feed's kind). */
export async function recordFeedWatermark(
  db: Queryable,
  symbol: string,
  kind: 'economic' | 'news' | 'events',
  source: string,
  ts: number,
): Promise<void> {
  await db.query(
    `INSERT INTO ops.watermarks (instrument_id, interval, source, watermark, updated_at)
     SELECT id, $2, $3, $4::timestamptz, now() FROM market_data.instruments WHERE symbol = $1
     ON CONFLICT (instrument_id, interval, source) DO UPDATE
       SET watermark = GREATEST(ops.watermarks.watermark, EXCLUDED.watermark), updated_at = now()`,
    [symbol, kind, source, new Date(ts).toISOString()],
  );
}

/** The watermark of a non-bar feed, UTC ms, or null. */
export async function readFeedWatermark(
  db: Queryable,
  symbol: string,
  kind: 'economic' | 'news' | 'events',
  source: string,
): Promise<number | null> {
  const res = await db.query<{ watermark: Date | string }>(
    `SELECT w.watermark FROM ops.watermarks w JOIN market_data.instruments i ON i.id = w.instrument_id
      WHERE i.symbol = $1 AND w.interval = $2 AND w.source = $3`,
    [symbol, kind, source],
  );
  const row = res.rows[0];
  return row ? new Date(row.watermark).getTime() : null;
}
