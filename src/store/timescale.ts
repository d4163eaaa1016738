import type { Db } from './db.ts';

/**
 * TimescaleDB, when the database has it: hypertables on the time column of `market_data.bars` and
 * `market_data.prices`, compression of chunks older than 30 days segmented by instrument, a daily
 * continuous aggregate of intraday bars, and a retention job for 1-minute bars. Without the extension
 * the same tables stay plain tables with their B-tree primary keys, and queries bucket time through
 * `timeBucketSql`, which falls back to `date_bin`.
 *
 * Nothing here lives in a migration: migrations must run unchanged on PGlite and PostgreSQL.
 */

/** Hypertables and the chunk width each gets. */
const HYPERTABLES = [
  { table: 'market_data.bars', chunk: '30 days' },
  { table: 'market_data.prices', chunk: '30 days' },
] as const;

/** Chunks older than this are compressed. */
const COMPRESS_AFTER = '30 days';
/** 1-minute bars older than this are deleted by the retention job. */
const MINUTE_BAR_RETENTION_DAYS = 90;
/** Daily OHLCV rolled up from every interval finer than 1d. */
export const DAILY_CAGG = 'market_data.bars_daily_cagg';

/**
 * Origin of every time bucket: Monday 2000-01-03 UTC, TimescaleDB's own default for `time_bucket`, so
 * `date_bin` cuts weeks (and every other width) at the same instants.
 */
const BUCKET_ORIGIN_SQL = "TIMESTAMPTZ '2000-01-03 00:00:00+00'";

/**
 * SQL that buckets `colSql` into `widthSql` (an interval expression such as `INTERVAL '1 day'` or `$2::interval`):
 * `time_bucket` on TimescaleDB, `date_bin` elsewhere; both give the same buckets. Widths must be fixed
 * (minutes, hours, days, weeks): `date_bin` refuses months and years.
 */
export function timeBucketSql(db: Pick<Db, 'features'>, widthSql: string, colSql: string): string {
  return db.features.timescale
    ? `time_bucket(${widthSql}, ${colSql})`
    : `date_bin(${widthSql}, ${colSql}, ${BUCKET_ORIGIN_SQL})`;
}

export interface TimescaleOptions {
  /** Create the extension when it is available but not yet installed. @defaultValue true */
  create?: boolean;
}

export interface TimescaleStatus {
  /** TimescaleDB is installed and the objects below exist. */
  enabled: boolean;
  /** Why it is not enabled, when it is not. */
  reason?: string;
  /** What this call created (empty when everything already existed). */
  created: string[];
}

async function extensionAvailable(db: Db): Promise<boolean> {
  const r = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'timescaledb'",
  );
  return (r.rows[0]?.n ?? 0) > 0;
}

async function ensureExtension(db: Db, create: boolean): Promise<string | undefined> {
  if (db.features.timescale) return undefined;
  if (!create) return 'timescale disabled by option';
  if (!(await extensionAvailable(db))) return 'extension timescaledb is not available';
  try {
    await db.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
  } catch (err) {
    // Typical cause: the library is installed but not in shared_preload_libraries.
    return `CREATE EXTENSION timescaledb failed: ${err instanceof Error ? err.message : String(err)}`;
  }
  db.features.timescale = true;
  return undefined;
}

function splitName(qualified: string): { schema: string; name: string } {
  const [schema = 'public', name = qualified] = qualified.split('.');
  return { schema, name };
}

async function hypertableState(db: Db, table: string): Promise<{ exists: boolean; compressed: boolean }> {
  const { schema, name } = splitName(table);
  const r = await db.query<{ compression_enabled: boolean }>(
    `SELECT compression_enabled FROM timescaledb_information.hypertables
      WHERE hypertable_schema = $1 AND hypertable_name = $2`,
    [schema, name],
  );
  const row = r.rows[0];
  return { exists: row !== undefined, compressed: row?.compression_enabled === true };
}

async function viewExists(db: Db, qualified: string): Promise<boolean> {
  const { schema, name } = splitName(qualified);
  const r = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM timescaledb_information.continuous_aggregates
      WHERE view_schema = $1 AND view_name = $2`,
    [schema, name],
  );
  return (r.rows[0]?.n ?? 0) > 0;
}

async function jobExists(db: Db, schema: string, proc: string): Promise<boolean> {
  const r = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM timescaledb_information.jobs WHERE proc_schema = $1 AND proc_name = $2`,
    [schema, proc],
  );
  return (r.rows[0]?.n ?? 0) > 0;
}

const DAILY_CAGG_SQL = `
CREATE MATERIALIZED VIEW IF NOT EXISTS ${DAILY_CAGG}
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT instrument_id,
       time_bucket(INTERVAL '1 day', ts) AS ts,
       first(open, ts)  AS open,
       max(high)        AS high,
       min(low)         AS low,
       last(close, ts)  AS close,
       sum(volume)      AS volume,
       count(*)::int    AS bar_count
  FROM market_data.bars
 WHERE "interval" <> '1d'
 GROUP BY instrument_id, time_bucket(INTERVAL '1 day', ts)
WITH NO DATA`;

// A retention policy drops whole chunks, which would take daily bars with the minute bars; this job
// deletes only 1-minute rows past the horizon (DML on compressed chunks is supported since 2.11).
const MINUTE_RETENTION_PROC_SQL = `
CREATE OR REPLACE PROCEDURE market_data.drop_old_minute_bars(job_id integer, config jsonb)
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM market_data.bars
   WHERE "interval" = '1m'
     AND ts < now() - make_interval(days => coalesce((config->>'keep_days')::int, ${MINUTE_BAR_RETENTION_DAYS}));
END
$$`;

/**
 * Turns on the TimescaleDB layout when the extension is installed (or available and `create` is on).
 * Idempotent: safe on every start; returns what it created. Run it after `migrate`.
 */
export async function applyTimescale(db: Db, opts: TimescaleOptions = {}): Promise<TimescaleStatus> {
  const reason = await ensureExtension(db, opts.create ?? true);
  if (reason !== undefined) return { enabled: false, reason, created: [] };
  const created: string[] = [];
  for (const { table, chunk } of HYPERTABLES) {
    let state = await hypertableState(db, table);
    if (!state.exists) {
      await db.query(
        `SELECT create_hypertable($1::regclass, 'ts', chunk_time_interval => $2::interval,
                                  migrate_data => true, if_not_exists => true)`,
        [table, chunk],
      );
      created.push(`hypertable ${table}`);
      state = await hypertableState(db, table);
    }
    if (!state.compressed) {
      await db.exec(`ALTER TABLE ${table} SET (timescaledb.compress,
        timescaledb.compress_segmentby = 'instrument_id',
        timescaledb.compress_orderby = '${table.endsWith('bars') ? '"interval", ' : ''}ts DESC')`);
      await db.query(`SELECT add_compression_policy($1::regclass, $2::interval, if_not_exists => true)`, [
        table,
        COMPRESS_AFTER,
      ]);
      created.push(`compression ${table}`);
    }
  }
  if (!(await viewExists(db, DAILY_CAGG))) {
    await db.exec(DAILY_CAGG_SQL);
    await db.query(
      `SELECT add_continuous_aggregate_policy($1::regclass, start_offset => INTERVAL '7 days',
         end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour', if_not_exists => true)`,
      [DAILY_CAGG],
    );
    created.push(`continuous aggregate ${DAILY_CAGG}`);
  }
  if (!(await jobExists(db, 'market_data', 'drop_old_minute_bars'))) {
    await db.exec(MINUTE_RETENTION_PROC_SQL);
    await db.query(
      `SELECT add_job('market_data.drop_old_minute_bars'::regproc, INTERVAL '1 day', $1::jsonb)`,
      [JSON.stringify({ keep_days: MINUTE_BAR_RETENTION_DAYS })],
    );
    created.push('retention job market_data.drop_old_minute_bars');
  }
  return { enabled: true, created };
}
