-- Analytics results (schema `derived`): volatility metrics per bar, correlations, best pairs, depeg events.
-- Everything here is recomputable from market_data; writers upsert so re-running is idempotent.
CREATE SCHEMA IF NOT EXISTS derived;

CREATE TABLE derived.volatility_metrics (
  instrument_id integer NOT NULL REFERENCES market_data.instruments (id) ON DELETE CASCADE,
  interval      text NOT NULL CHECK (interval IN ('1m', '5m', '15m', '30m', '1h', '4h', '1d')),
  ts            timestamptz NOT NULL,
  hv_20         float8,
  hv_50         float8,
  sma_15        float8,
  sma_30        float8,
  sma_50        float8,
  bb_upper      float8,
  bb_middle     float8,
  bb_lower      float8,
  atr_14        float8,
  calculated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instrument_id, interval, ts)
);
COMMENT ON TABLE derived.volatility_metrics IS
  'Per bar: HV = annualised sample σ of log returns (20/50 bars), SMA 15/30/50, Bollinger(20, 2σ population), ATR(14, Wilder). NULL during warm-up.';

-- Pairs are stored once, asset_1 < asset_2 in byte order (COLLATE "C", the order JavaScript sorts in).
CREATE TABLE derived.asset_correlations (
  asset_1       text COLLATE "C" NOT NULL,
  asset_2       text COLLATE "C" NOT NULL,
  window_days   integer NOT NULL CHECK (window_days > 0),
  correlation   float8 CHECK (correlation BETWEEN -1 AND 1),
  data_points   integer NOT NULL CHECK (data_points >= 0),
  risk_level    text CHECK (risk_level IN ('NORMAL', 'ELEVATED', 'HIGH', 'CRITICAL')),
  as_of         timestamptz NOT NULL,
  calculated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (asset_1 < asset_2),
  UNIQUE (asset_1, asset_2, window_days)
);
COMMENT ON COLUMN derived.asset_correlations.correlation IS
  'Pearson ρ of log returns on time-aligned prices over window_days up to as_of; NULL below 20 aligned returns.';
CREATE INDEX asset_correlations_window_idx ON derived.asset_correlations (window_days, as_of);

-- ρ of a pair in either order (1 for an asset with itself; NULL when not computed).
CREATE FUNCTION derived.get_correlation(a text, b text, days integer DEFAULT 90) RETURNS float8
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN a = b THEN 1.0::float8 ELSE (
    SELECT c.correlation FROM derived.asset_correlations c
     WHERE c.asset_1 = LEAST(a COLLATE "C", b COLLATE "C")
       AND c.asset_2 = GREATEST(a COLLATE "C", b COLLATE "C")
       AND c.window_days = days) END
$$;

-- The newest calculation of each window (pairs from older runs, e.g. removed assets, are left out).
CREATE VIEW derived.latest_correlations AS
SELECT c.asset_1, c.asset_2, c.window_days, c.correlation, c.data_points, c.risk_level, c.as_of, c.calculated_at
  FROM derived.asset_correlations c
 WHERE c.as_of = (SELECT max(m.as_of) FROM derived.asset_correlations m WHERE m.window_days = c.window_days);

-- Contagion per window: pairs per level (NORMAL < 0.7 ≤ ELEVATED < 0.8 ≤ HIGH < 0.9 ≤ CRITICAL) and the
-- level of the average correlation (how much the whole universe moves as one).
CREATE VIEW derived.contagion_risk AS
SELECT window_days,
       max(as_of) AS as_of,
       count(correlation) AS pairs,
       count(*) FILTER (WHERE risk_level = 'CRITICAL') AS critical_pairs,
       count(*) FILTER (WHERE risk_level = 'HIGH') AS high_pairs,
       count(*) FILTER (WHERE risk_level = 'ELEVATED') AS elevated_pairs,
       count(*) FILTER (WHERE risk_level = 'NORMAL') AS normal_pairs,
       avg(correlation) AS average_correlation,
       max(correlation) AS max_correlation,
       CASE WHEN avg(correlation) >= 0.9 THEN 'CRITICAL'
            WHEN avg(correlation) >= 0.8 THEN 'HIGH'
            WHEN avg(correlation) >= 0.7 THEN 'ELEVATED'
            WHEN avg(correlation) IS NOT NULL THEN 'NORMAL' END AS overall_level
  FROM derived.latest_correlations
 GROUP BY window_days;

CREATE TABLE derived.best_pairs (
  window_days   integer NOT NULL CHECK (window_days > 0),
  category      text NOT NULL CHECK (category IN ('negative', 'uncorrelated', 'moderate', 'high')),
  rank          integer NOT NULL CHECK (rank >= 1),
  asset_1       text COLLATE "C" NOT NULL,
  asset_2       text COLLATE "C" NOT NULL,
  correlation   float8 NOT NULL CHECK (correlation BETWEEN -1 AND 1),
  data_points   integer NOT NULL,
  reason        text NOT NULL,
  as_of         timestamptz NOT NULL,
  calculated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (window_days, category, rank),
  CHECK (asset_1 < asset_2)
);

-- A depeg: the price of a pegged asset below peg × (1 − threshold); see src/analytics/depeg.ts.
CREATE TABLE derived.depeg_events (
  id                    bigserial PRIMARY KEY,
  asset                 text NOT NULL,
  start_time            timestamptz NOT NULL,
  end_time              timestamptz,
  min_price             float8 NOT NULL,
  min_price_at          timestamptz NOT NULL,
  duration_seconds      float8 NOT NULL CHECK (duration_seconds >= 0),
  recovery_time_seconds float8,
  severity_score        float8 NOT NULL CHECK (severity_score BETWEEN 0 AND 1),
  peg                   float8 NOT NULL,
  threshold             float8 NOT NULL,
  source                text NOT NULL,
  detected_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (asset, start_time)
);
COMMENT ON COLUMN derived.depeg_events.end_time IS 'First observation back at or above the threshold; NULL while under way.';
COMMENT ON COLUMN derived.depeg_events.recovery_time_seconds IS 'From start until back within 0.5 % of the peg; NULL if not yet.';
COMMENT ON COLUMN derived.depeg_events.source IS 'prices (point series) or bars:<interval> (bar lows).';

CREATE VIEW derived.depeg_statistics AS
SELECT asset,
       count(*) AS event_count,
       min(min_price) AS worst_price,
       max(severity_score) AS max_severity,
       avg(duration_seconds) AS avg_duration_seconds,
       avg(recovery_time_seconds) AS avg_recovery_time_seconds,
       max(start_time) AS last_event_start
  FROM derived.depeg_events
 GROUP BY asset;
