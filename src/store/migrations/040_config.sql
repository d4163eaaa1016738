-- Configuration parameters operators tune without a redeploy, their audit trail, and the seeded
-- reference table of historical stablecoin depegs. Every change to a parameter is announced on the
-- `config_changed` channel (by a trigger, so changes made with psql reach running processes too).
CREATE SCHEMA IF NOT EXISTS config;

CREATE TABLE config.parameters (
  id          serial PRIMARY KEY,
  category    text NOT NULL CHECK (category ~ '^[a-z][a-z0-9_]*$'),
  key         text NOT NULL CHECK (key ~ '^[A-Za-z0-9][A-Za-z0-9_.-]*$'),
  value_type  text NOT NULL CHECK (value_type IN ('float', 'int', 'string', 'json')),
  value       jsonb NOT NULL,
  description text NOT NULL DEFAULT '',
  -- {min, max, allowed}: inclusive numeric bounds and/or a list of allowed values
  validation  jsonb NOT NULL DEFAULT '{}'::jsonb,
  seeded      boolean NOT NULL DEFAULT false,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL DEFAULT 'system',
  UNIQUE (category, key)
);

CREATE TABLE config.audit_log (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  who        text NOT NULL,
  action     text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
  category   text NOT NULL,
  key        text NOT NULL,
  old_value  jsonb,
  new_value  jsonb,
  reason     text NOT NULL DEFAULT '',
  client_ip  text,
  dry_run    boolean NOT NULL DEFAULT false,
  applied    boolean NOT NULL DEFAULT false
);
CREATE INDEX audit_log_at_idx ON config.audit_log (at DESC, id DESC);
CREATE INDEX audit_log_param_idx ON config.audit_log (category, key, at DESC);

CREATE FUNCTION config.notify_parameter_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  PERFORM pg_notify('config_changed',
    json_build_object('op', lower(TG_OP), 'category', r.category, 'key', r.key, 'ts', now())::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER parameters_notify
AFTER INSERT OR UPDATE OR DELETE ON config.parameters
FOR EACH ROW EXECUTE FUNCTION config.notify_parameter_change();

-- Reference: notable stablecoin depegs (minimum price, start date, approximate duration). Rows from
-- this migration are marked seeded; operators may add their own.
CREATE TABLE config.historical_depegs (
  id             serial PRIMARY KEY,
  asset          text NOT NULL,
  min_price      double precision NOT NULL CHECK (min_price > 0),
  event_date     date NOT NULL,
  duration_hours double precision CHECK (duration_hours >= 0),
  description    text NOT NULL DEFAULT '',
  seeded         boolean NOT NULL DEFAULT false,
  UNIQUE (asset, event_date)
);

INSERT INTO config.historical_depegs (asset, min_price, event_date, duration_hours, description, seeded) VALUES
  ('USDC', 0.88, '2023-03-11', 72, 'Silicon Valley Bank failure: $3.3B of Circle reserves frozen', true),
  ('USDT', 0.95, '2022-05-12', 24, 'Terra/UST collapse contagion, heavy redemptions', true),
  ('DAI', 0.96, '2023-03-11', 72, 'USDC exposure through the PSM during the SVB failure', true),
  ('USDP', 0.98, '2023-03-11', 48, 'SVB contagion across fiat-backed stablecoins', true),
  ('FRAX', 0.88, '2023-03-11', 72, 'USDC collateral exposure during the SVB failure', true),
  ('BUSD', 0.98, '2023-02-13', 24, 'NYDFS orders Paxos to stop minting BUSD', true),
  ('GHO', 0.96, '2023-08-01', 2160, 'Persistent post-launch discount until borrow-rate increases', true),
  ('USDD', 0.93, '2022-06-13', 336, 'Algorithmic stablecoin under pressure after Terra', true),
  ('TUSD', 0.97, '2023-06-15', 48, 'Prime Trust exposure and market-maker withdrawals', true);

-- The parameter catalogue (src/config/defaults.ts holds the same values as the code's fallbacks).
ALTER TABLE config.parameters ALTER COLUMN seeded SET DEFAULT true;
INSERT INTO config.parameters (category, key, value_type, value, description, validation) VALUES
  ('pricing', 'base_rate_USDC', 'float', '0.04', 'Annual base premium rate for USDC cover', '{"min":0,"max":1}'),
  ('pricing', 'base_rate_USDT', 'float', '0.06', 'Annual base premium rate for USDT cover', '{"min":0,"max":1}'),
  ('pricing', 'base_rate_DAI', 'float', '0.05', 'Annual base premium rate for DAI cover', '{"min":0,"max":1}'),
  ('pricing', 'base_rate_USDP', 'float', '0.05', 'Annual base premium rate for USDP cover', '{"min":0,"max":1}'),
  ('pricing', 'base_rate_PYUSD', 'float', '0.05', 'Annual base premium rate for PYUSD cover', '{"min":0,"max":1}'),
  ('pricing', 'base_rate_GUSD', 'float', '0.06', 'Annual base premium rate for GUSD cover', '{"min":0,"max":1}'),
  ('pricing', 'base_rate_LUSD', 'float', '0.06', 'Annual base premium rate for LUSD cover', '{"min":0,"max":1}'),
  ('pricing', 'base_rate_BUSD', 'float', '0.07', 'Annual base premium rate for BUSD cover', '{"min":0,"max":1}'),
  ('pricing', 'base_rate_FDUSD', 'float', '0.07', 'Annual base premium rate for FDUSD cover', '{"min":0,"max":1}'),
  ('pricing', 'base_rate_TUSD', 'float', '0.08', 'Annual base premium rate for TUSD cover', '{"min":0,"max":1}'),
  ('pricing', 'base_rate_FRAX', 'float', '0.08', 'Annual base premium rate for FRAX cover', '{"min":0,"max":1}'),
  ('pricing', 'base_rate_GHO', 'float', '0.08', 'Annual base premium rate for GHO cover', '{"min":0,"max":1}'),
  ('pricing', 'base_rate_CRVUSD', 'float', '0.09', 'Annual base premium rate for CRVUSD cover', '{"min":0,"max":1}'),
  ('pricing', 'base_rate_USDD', 'float', '0.12', 'Annual base premium rate for USDD cover', '{"min":0,"max":1}'),
  ('pricing', 'base_rate_USDE', 'float', '0.12', 'Annual base premium rate for USDE cover', '{"min":0,"max":1}'),
  ('pricing', 'base_rate_default', 'float', '0.1', 'Annual base rate for assets without their own', '{"min":0,"max":1}'),
  ('pricing', 'risk_weight_volatility', 'float', '0.3', 'Weight of price volatility in the risk score', '{"min":0,"max":1}'),
  ('pricing', 'risk_weight_depeg_history', 'float', '0.25', 'Weight of past depeg events', '{"min":0,"max":1}'),
  ('pricing', 'risk_weight_liquidity', 'float', '0.2', 'Weight of market liquidity', '{"min":0,"max":1}'),
  ('pricing', 'risk_weight_collateral', 'float', '0.15', 'Weight of collateral quality', '{"min":0,"max":1}'),
  ('pricing', 'risk_weight_correlation', 'float', '0.1', 'Weight of correlation with the book', '{"min":0,"max":1}'),
  ('pricing', 'size_discount_tier1_threshold', 'float', '1000000', 'Cover amount (USD) from which tier 1 applies', '{"min":0}'),
  ('pricing', 'size_discount_tier1_multiplier', 'float', '0.95', 'Premium multiplier at tier 1', '{"min":0,"max":1}'),
  ('pricing', 'size_discount_tier2_threshold', 'float', '5000000', 'Cover amount (USD) from which tier 2 applies', '{"min":0}'),
  ('pricing', 'size_discount_tier2_multiplier', 'float', '0.9', 'Premium multiplier at tier 2', '{"min":0,"max":1}'),
  ('pricing', 'size_discount_tier3_threshold', 'float', '10000000', 'Cover amount (USD) from which tier 3 applies', '{"min":0}'),
  ('pricing', 'size_discount_tier3_multiplier', 'float', '0.8', 'Premium multiplier at tier 3', '{"min":0,"max":1}'),
  ('pricing', 'utilization_multiplier_0', 'float', '1', 'Premium multiplier when pool utilisation is at least 0 %', '{"min":0,"max":10}'),
  ('pricing', 'utilization_multiplier_50', 'float', '1.1', 'Premium multiplier when pool utilisation is at least 50 %', '{"min":0,"max":10}'),
  ('pricing', 'utilization_multiplier_70', 'float', '1.25', 'Premium multiplier when pool utilisation is at least 70 %', '{"min":0,"max":10}'),
  ('pricing', 'utilization_multiplier_80', 'float', '1.5', 'Premium multiplier when pool utilisation is at least 80 %', '{"min":0,"max":10}'),
  ('pricing', 'utilization_multiplier_90', 'float', '2', 'Premium multiplier when pool utilisation is at least 90 %', '{"min":0,"max":10}'),
  ('pricing', 'utilization_multiplier_95', 'float', '3', 'Premium multiplier when pool utilisation is at least 95 %', '{"min":0,"max":10}'),
  ('pricing', 'duration_base_days', 'int', '30', 'Cover period the annual rate is pro-rated against (days)', '{"min":1,"max":3650}'),
  ('pricing', 'trigger_base_price', 'float', '0.98', 'Price below which a depeg claim triggers', '{"min":0.5,"max":1}'),
  ('pricing', 'target_loss_ratio', 'float', '0.65', 'Claims paid / premiums earned the pricing aims for', '{"min":0.01,"max":2}'),
  ('pricing', 'claims_adjustment_dampener', 'float', '0.5', 'Share of the loss-ratio gap passed into rates', '{"min":0,"max":1}'),
  ('pricing', 'minimum_premium_absolute', 'float', '100', 'Smallest premium charged (USD)', '{"min":0}'),
  ('pricing', 'minimum_premium_rate', 'float', '0.005', 'Smallest annual rate charged', '{"min":0,"max":1}'),
  ('risk', 'var_confidence_primary', 'float', '0.95', 'VaR confidence level reported first', '{"min":0.5,"max":0.9999}'),
  ('risk', 'var_confidence_tail', 'float', '0.99', 'VaR confidence level for the tail', '{"min":0.5,"max":0.9999}'),
  ('risk', 'monte_carlo_simulations', 'int', '10000', 'Base Monte Carlo simulation count', '{"min":100,"max":10000000}'),
  ('risk', 'var_horizon_days', 'int', '30', 'VaR horizon (days)', '{"min":1,"max":365}'),
  ('risk', 'historical_data_years', 'int', '3', 'Years of history used for calibration', '{"min":1,"max":30}'),
  ('risk', 'risk_free_rate', 'float', '0.045', 'Annual risk-free rate (Sharpe, discounting)', '{"min":-0.05,"max":0.25}'),
  ('risk', 'reserve_multiplier', 'float', '1.5', 'Reserves held = VaR 95 × this', '{"min":0,"max":10}'),
  ('risk', 'stress_buffer_multiplier', 'float', '1.2', 'Stress losses scaled by this for buffers', '{"min":0,"max":10}'),
  ('tranches', 'SURE_BTC.apy_min', 'float', '0.02', 'SURE_BTC minimum APY', '{"min":0,"max":1}'),
  ('tranches', 'SURE_BTC.apy_max', 'float', '0.05', 'SURE_BTC maximum APY', '{"min":0,"max":1}'),
  ('tranches', 'SURE_BTC.curve_type', 'string', '"Flat"', 'SURE_BTC APY curve over utilisation', '{"allowed":["Flat","Logarithmic","Linear","Sigmoidal","Quadratic","Exponential"]}'),
  ('tranches', 'SURE_BTC.allocation_percent', 'float', '10', 'SURE_BTC share of capital (%)', '{"min":0,"max":100}'),
  ('tranches', 'SURE_BTC.risk_score', 'int', '1', 'SURE_BTC risk score, 1 safest – 10', '{"min":1,"max":10}'),
  ('tranches', 'SURE_SNR.apy_min', 'float', '0.03', 'SURE_SNR minimum APY', '{"min":0,"max":1}'),
  ('tranches', 'SURE_SNR.apy_max', 'float', '0.06', 'SURE_SNR maximum APY', '{"min":0,"max":1}'),
  ('tranches', 'SURE_SNR.curve_type', 'string', '"Logarithmic"', 'SURE_SNR APY curve over utilisation', '{"allowed":["Flat","Logarithmic","Linear","Sigmoidal","Quadratic","Exponential"]}'),
  ('tranches', 'SURE_SNR.allocation_percent', 'float', '30', 'SURE_SNR share of capital (%)', '{"min":0,"max":100}'),
  ('tranches', 'SURE_SNR.risk_score', 'int', '2', 'SURE_SNR risk score, 1 safest – 10', '{"min":1,"max":10}'),
  ('tranches', 'SURE_MEZZ.apy_min', 'float', '0.06', 'SURE_MEZZ minimum APY', '{"min":0,"max":1}'),
  ('tranches', 'SURE_MEZZ.apy_max', 'float', '0.12', 'SURE_MEZZ maximum APY', '{"min":0,"max":1}'),
  ('tranches', 'SURE_MEZZ.curve_type', 'string', '"Linear"', 'SURE_MEZZ APY curve over utilisation', '{"allowed":["Flat","Logarithmic","Linear","Sigmoidal","Quadratic","Exponential"]}'),
  ('tranches', 'SURE_MEZZ.allocation_percent', 'float', '25', 'SURE_MEZZ share of capital (%)', '{"min":0,"max":100}'),
  ('tranches', 'SURE_MEZZ.risk_score', 'int', '4', 'SURE_MEZZ risk score, 1 safest – 10', '{"min":1,"max":10}'),
  ('tranches', 'SURE_JNR.apy_min', 'float', '0.1', 'SURE_JNR minimum APY', '{"min":0,"max":1}'),
  ('tranches', 'SURE_JNR.apy_max', 'float', '0.2', 'SURE_JNR maximum APY', '{"min":0,"max":1}'),
  ('tranches', 'SURE_JNR.curve_type', 'string', '"Sigmoidal"', 'SURE_JNR APY curve over utilisation', '{"allowed":["Flat","Logarithmic","Linear","Sigmoidal","Quadratic","Exponential"]}'),
  ('tranches', 'SURE_JNR.allocation_percent', 'float', '15', 'SURE_JNR share of capital (%)', '{"min":0,"max":100}'),
  ('tranches', 'SURE_JNR.risk_score', 'int', '6', 'SURE_JNR risk score, 1 safest – 10', '{"min":1,"max":10}'),
  ('tranches', 'SURE_JNR_PLUS.apy_min', 'float', '0.15', 'SURE_JNR_PLUS minimum APY', '{"min":0,"max":1}'),
  ('tranches', 'SURE_JNR_PLUS.apy_max', 'float', '0.3', 'SURE_JNR_PLUS maximum APY', '{"min":0,"max":1}'),
  ('tranches', 'SURE_JNR_PLUS.curve_type', 'string', '"Quadratic"', 'SURE_JNR_PLUS APY curve over utilisation', '{"allowed":["Flat","Logarithmic","Linear","Sigmoidal","Quadratic","Exponential"]}'),
  ('tranches', 'SURE_JNR_PLUS.allocation_percent', 'float', '12', 'SURE_JNR_PLUS share of capital (%)', '{"min":0,"max":100}'),
  ('tranches', 'SURE_JNR_PLUS.risk_score', 'int', '8', 'SURE_JNR_PLUS risk score, 1 safest – 10', '{"min":1,"max":10}'),
  ('tranches', 'SURE_EQT.apy_min', 'float', '0.2', 'SURE_EQT minimum APY', '{"min":0,"max":1}'),
  ('tranches', 'SURE_EQT.apy_max', 'float', '0.5', 'SURE_EQT maximum APY', '{"min":0,"max":1}'),
  ('tranches', 'SURE_EQT.curve_type', 'string', '"Exponential"', 'SURE_EQT APY curve over utilisation', '{"allowed":["Flat","Logarithmic","Linear","Sigmoidal","Quadratic","Exponential"]}'),
  ('tranches', 'SURE_EQT.allocation_percent', 'float', '8', 'SURE_EQT share of capital (%)', '{"min":0,"max":100}'),
  ('tranches', 'SURE_EQT.risk_score', 'int', '10', 'SURE_EQT risk score, 1 safest – 10', '{"min":1,"max":10}'),
  ('quality', 'stablecoin_min_price', 'float', '0.5', 'Stablecoin prices below this are rejected', '{"min":0,"max":1}'),
  ('quality', 'stablecoin_max_price', 'float', '1.5', 'Stablecoin prices above this are rejected', '{"min":1,"max":10}'),
  ('quality', 'outlier_sigma', 'float', '5', 'Log-return distance (σ) that flags an outlier', '{"min":1,"max":50}'),
  ('quality', 'outlier_batch_max', 'float', '0.1', 'Share of outliers above which a batch is rejected', '{"min":0,"max":1}'),
  ('quality', 'max_age_hours', 'float', '24', 'Latest point older than this is stale (hours)', '{"min":0.1,"max":8760}'),
  ('rate_limits', 'polygon_per_minute', 'int', '5', 'Polygon.io free tier: requests per minute', '{"min":1,"max":100000}'),
  ('rate_limits', 'coingecko_per_minute', 'int', '30', 'CoinGecko public API: requests per minute', '{"min":1,"max":100000}'),
  ('rate_limits', 'oanda_per_minute', 'int', '120', 'OANDA v20 REST (documented 120 req/s; kept polite): requests per minute', '{"min":1,"max":100000}'),
  ('rate_limits', 'yahoo_per_minute', 'int', '60', 'Yahoo chart API (unofficial; be gentle): requests per minute', '{"min":1,"max":100000}'),
  ('rate_limits', 'binance_per_minute', 'int', '1200', 'Binance request weight per minute: requests per minute', '{"min":1,"max":100000}'),
  ('rate_limits', 'fred_per_minute', 'int', '120', 'FRED API: requests per minute', '{"min":1,"max":100000}'),
  ('rate_limits', 'newsapi_per_minute', 'int', '100', 'NewsAPI developer plan is 100 req/day; per-minute cap: requests per minute', '{"min":1,"max":100000}'),
  ('rate_limits', 'alphavantage_per_minute', 'int', '5', 'Alpha Vantage free tier: requests per minute', '{"min":1,"max":100000}'),
  ('schedules', 'depeg_backfill.enabled', 'json', 'true', 'Run daily 02:00 UTC incremental depeg backfill (last 7 days)', '{"allowed":[true,false]}'),
  ('schedules', 'correlation_matrices.enabled', 'json', 'true', 'Run daily 02:10 UTC correlation matrices (30/90/365 days)', '{"allowed":[true,false]}'),
  ('schedules', 'risk_report.enabled', 'json', 'true', 'Run daily 02:20 UTC risk report', '{"allowed":[true,false]}'),
  ('schedules', 'fx_correlations.enabled', 'json', 'true', 'Run daily 00:00 UTC FX correlations and best pairs', '{"allowed":[true,false]}'),
  ('schedules', 'historical_backfill.enabled', 'json', 'true', 'Run weekly Sunday 03:00 UTC full historical backfill', '{"allowed":[true,false]}'),
  ('schedules', 'cleanup.enabled', 'json', 'true', 'Run weekly cleanup: archive, dedup, VACUUM ANALYZE', '{"allowed":[true,false]}'),
  ('schedules', 'integrity_checks.enabled', 'json', 'true', 'Run weekly quality gate over the store', '{"allowed":[true,false]}'),
  ('schedules', 'hourly_ohlc.enabled', 'json', 'true', 'Run hourly OHLC of the last 2 hours + volatility metrics', '{"allowed":[true,false]}'),
  ('schedules', 'equities_daily.enabled', 'json', 'true', 'Run equities daily bars 16:30 America/New_York Mon–Fri', '{"allowed":[true,false]}'),
  ('schedules', 'equities_hourly.enabled', 'json', 'true', 'Run equities hourly bars in market hours', '{"allowed":[true,false]}'),
  ('schedules', 'latest_prices.enabled', 'json', 'true', 'Run latest prices every minute in market hours', '{"allowed":[true,false]}');
ALTER TABLE config.parameters ALTER COLUMN seeded SET DEFAULT false;
