-- Quality monitoring: the seed's views over market_data. Plain PostgreSQL (works on PGlite and PG 15).

-- Rows the gate flagged (is_outlier) or scored low, over the last 7 days, bars and point prices together.
CREATE VIEW ops.recent_price_anomalies AS
SELECT i.symbol, b.interval, b.ts, b.close AS price, b.source, b.quality_score, b.is_outlier, b.ingested_at
  FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id
 WHERE b.ts > now() - interval '7 days' AND (b.is_outlier OR b.quality_score < 0.8)
UNION ALL
SELECT i.symbol, NULL AS interval, p.ts, p.price, p.source, p.quality_score, p.is_outlier, p.ingested_at
  FROM market_data.prices p JOIN market_data.instruments i ON i.id = p.instrument_id
 WHERE p.ts > now() - interval '7 days' AND (p.is_outlier OR p.quality_score < 0.8);

-- Daily statistics per instrument and series (bars per interval; point prices as interval 'point').
CREATE MATERIALIZED VIEW ops.daily_price_stats AS
WITH pts AS (
  SELECT instrument_id, interval, ts, close AS price, volume, is_outlier FROM market_data.bars
  UNION ALL
  SELECT instrument_id, 'point', ts, price, coalesce(volume, 0), is_outlier FROM market_data.prices
)
SELECT i.symbol,
       pts.interval,
       (date_trunc('day', pts.ts AT TIME ZONE 'UTC'))::date AS day,
       (array_agg(pts.price ORDER BY pts.ts))[1] AS open,
       max(pts.price) AS high,
       min(pts.price) AS low,
       (array_agg(pts.price ORDER BY pts.ts DESC))[1] AS close,
       avg(pts.price) AS avg_price,
       stddev_samp(pts.price) AS stddev_price,
       sum(pts.volume) AS volume,
       count(*)::int AS points,
       count(*) FILTER (WHERE pts.is_outlier)::int AS outliers
  FROM pts JOIN market_data.instruments i ON i.id = pts.instrument_id
 GROUP BY i.symbol, pts.interval, 3
WITH DATA;
CREATE UNIQUE INDEX daily_price_stats_key ON ops.daily_price_stats (symbol, interval, day);

CREATE FUNCTION ops.refresh_daily_price_stats() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  REFRESH MATERIALIZED VIEW ops.daily_price_stats;
END;
$$;

-- Active instruments whose latest data point (any interval, or point price) is older than 2 hours.
-- Uses the primary-key indexes: one backwards index probe per instrument and interval.
CREATE VIEW ops.data_gaps AS
SELECT i.symbol, i.asset_class, latest.ts AS latest_ts, now() - latest.ts AS age
  FROM market_data.instruments i
  CROSS JOIN LATERAL (
    SELECT max(x.ts) AS ts FROM (
      SELECT (SELECT b.ts FROM market_data.bars b
                WHERE b.instrument_id = i.id AND b.interval = iv.interval ORDER BY b.ts DESC LIMIT 1) AS ts
        FROM (VALUES ('1m'), ('5m'), ('15m'), ('30m'), ('1h'), ('4h'), ('1d')) AS iv (interval)
      UNION ALL
      SELECT (SELECT p.ts FROM market_data.prices p WHERE p.instrument_id = i.id ORDER BY p.ts DESC LIMIT 1)
    ) x
  ) latest
 WHERE i.active AND i.asset_class <> 'economic'
   AND (latest.ts IS NULL OR latest.ts < now() - interval '2 hours');

CREATE INDEX validation_reports_created_idx ON ops.validation_reports (created_at DESC);
