-- Risk engine: stress scenarios, their links to observed depegs, portfolios, VaR results, daily reports.
CREATE SCHEMA IF NOT EXISTS risk;

CREATE TABLE risk.stress_scenarios (
  id                    serial PRIMARY KEY,
  name                  text NOT NULL UNIQUE,
  description           text NOT NULL DEFAULT '',
  type                  text NOT NULL DEFAULT 'custom',
  asset_impacts         jsonb NOT NULL DEFAULT '{}'::jsonb,
  btc_impact            float8,
  correlation_shift     float8 NOT NULL DEFAULT 0 CHECK (correlation_shift BETWEEN -1 AND 1),
  volatility_multiplier float8 NOT NULL DEFAULT 1 CHECK (volatility_multiplier > 0),
  probability_annual    float8 NOT NULL CHECK (probability_annual BETWEEN 0 AND 1),
  severity_level        integer NOT NULL DEFAULT 3 CHECK (severity_level BETWEEN 1 AND 5),
  weight                float8 NOT NULL DEFAULT 1 CHECK (weight >= 0),
  normalized_weight     float8,
  enabled               boolean NOT NULL DEFAULT true,
  is_default            boolean NOT NULL DEFAULT false,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);
COMMENT ON COLUMN risk.stress_scenarios.asset_impacts IS
  'Asset → shocked PRICE for pegged assets (USDC 0.88 = 12 % depeg) or RETURN for floating ones (ETH -0.5).';
COMMENT ON COLUMN risk.stress_scenarios.btc_impact IS 'BTC return under the scenario (0.27 = +27 %).';
COMMENT ON COLUMN risk.stress_scenarios.weight IS
  'Emphasis; Monte Carlo uses probability_annual × weight as the yearly intensity.';
COMMENT ON COLUMN risk.stress_scenarios.normalized_weight IS
  'weight / sum(weight) over enabled scenarios, maintained by risk.normalize_scenario_weights().';

-- Observed depeg events a scenario is modelled on. derived.depeg_events is owned by analytics and may not
-- exist yet, so the link is loose: its id when known, and always (asset, start_time).
CREATE TABLE risk.scenario_events (
  id             serial PRIMARY KEY,
  scenario_id    integer NOT NULL REFERENCES risk.stress_scenarios (id) ON DELETE CASCADE,
  depeg_event_id bigint,
  asset          text NOT NULL,
  start_time     timestamptz NOT NULL,
  note           text,
  UNIQUE (scenario_id, asset, start_time)
);

-- How a scenario's predicted loss compared with what happened over a past period.
CREATE TABLE risk.scenario_backtest_results (
  id             serial PRIMARY KEY,
  scenario_id    integer NOT NULL REFERENCES risk.stress_scenarios (id) ON DELETE CASCADE,
  run_at         timestamptz NOT NULL DEFAULT now(),
  period_start   timestamptz NOT NULL,
  period_end     timestamptz NOT NULL,
  predicted_loss float8 NOT NULL,
  realized_loss  float8,
  details        jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE FUNCTION risk.normalize_scenario_weights() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  total float8;
  n integer;
BEGIN
  SELECT coalesce(sum(weight), 0) INTO total FROM risk.stress_scenarios WHERE enabled;
  UPDATE risk.stress_scenarios
     SET normalized_weight = CASE WHEN enabled AND total > 0 THEN weight / total ELSE 0 END;
  SELECT count(*) INTO n FROM risk.stress_scenarios WHERE enabled;
  RETURN n;
END;
$$;

CREATE VIEW risk.active_scenarios AS
SELECT id, name, description, type, asset_impacts, btc_impact, correlation_shift, volatility_multiplier,
       probability_annual, severity_level, weight, normalized_weight,
       probability_annual * weight AS annual_intensity
  FROM risk.stress_scenarios
 WHERE enabled;

CREATE TABLE risk.portfolios (
  id              serial PRIMARY KEY,
  name            text NOT NULL UNIQUE,
  capital         float8 NOT NULL CHECK (capital > 0),
  capacity        float8,
  active_policies integer,
  positions       jsonb NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON COLUMN risk.portfolios.positions IS 'Array of {asset, exposure (USD), kind: coverage|holding}.';

CREATE TABLE risk.var_results (
  id                 bigserial PRIMARY KEY,
  computed_at        timestamptz NOT NULL DEFAULT now(),
  as_of              date NOT NULL,
  portfolio          text NOT NULL,
  horizon_days       integer NOT NULL,
  simulations        integer NOT NULL,
  seed               float8 NOT NULL,
  var_95             float8 NOT NULL,
  var_99             float8 NOT NULL,
  cvar_95            float8 NOT NULL,
  expected_loss      float8 NOT NULL,
  worst_case         float8 NOT NULL,
  best_case          float8 NOT NULL,
  scenarios_used     integer NOT NULL,
  simulation_time_ms float8 NOT NULL,
  details            jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX var_results_portfolio_idx ON risk.var_results (portfolio, as_of);

CREATE TABLE risk.reports (
  date       date PRIMARY KEY,
  portfolio  text NOT NULL,
  json       jsonb NOT NULL,
  html       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Seeded scenarios (is_default). Prices for stablecoins, returns for BTC.
INSERT INTO risk.stress_scenarios
  (name, description, type, asset_impacts, btc_impact, correlation_shift, volatility_multiplier,
   probability_annual, severity_level, weight, is_default)
VALUES
  ('Banking Crisis (SVB)',
   'A reserve bank fails (Silicon Valley Bank, March 2023): USDC loses its peg while BTC rallies as a hedge.',
   'banking', '{"USDC": 0.88, "USDT": 1.02, "DAI": 1.01}', 0.27, -0.3, 2.5, 0.20, 4, 1.5, true),
  ('Crypto Crash',
   'Market-wide deleveraging (May 2022 LUNA/UST, Nov 2022 FTX): BTC halves, USDT trades at a discount on redemptions.',
   'market', '{"USDT": 0.95, "USDC": 0.995, "DAI": 0.98}', -0.50, 0.3, 3.0, 0.15, 4, 1.2, true),
  ('Regulatory Shutdown',
   'A regulator orders an issuer to stop minting or freezes reserves (Paxos/BUSD, Feb 2023): the largest offshore coin falls hard.',
   'regulatory', '{"USDT": 0.85, "USDC": 1.0, "DAI": 0.97}', -0.20, 0.2, 2.0, 0.05, 5, 1.0, true),
  ('Multiple Failure',
   'Simultaneous loss of confidence in several issuers: every covered stablecoin depegs together.',
   'systemic', '{"USDC": 0.90, "USDT": 0.85, "DAI": 0.88}', -0.35, 0.4, 3.5, 0.02, 5, 2.0, true),
  -- Our addition. Rationale: DAI's largest collateral is USDC through the Peg Stability Module, so a partial
  -- USDC wobble passes to DAI amplified; on 2023-03-11 DAI printed ~0.897 while USDC printed ~0.878. A book
  -- selling DAI cover needs this path separately from a full banking crisis, which seeds DAI above peg.
  ('DAI Collateral Contagion',
   'A partial USDC depeg transmits to DAI through its USDC-heavy collateral (PSM), as on 2023-03-11.',
   'contagion', '{"USDC": 0.95, "DAI": 0.90, "USDT": 1.0}', -0.05, 0.2, 2.0, 0.08, 3, 1.0, true)
ON CONFLICT (name) DO NOTHING;

SELECT risk.normalize_scenario_weights();
