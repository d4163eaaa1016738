-- Live alerts (issue 20): a depeg alert is raised when a stablecoin's composite price (median across venues)
-- stays beyond `alerts.depeg_threshold` of its peg for `alerts.depeg_min_seconds`; one row per episode,
-- `state` goes from 'open' to 'recovered' when the price has been back inside for the same hold.
CREATE SCHEMA IF NOT EXISTS alerts;

CREATE TABLE alerts.alerts (
  id           bigserial PRIMARY KEY,
  -- 'depeg' today; other live alert kinds join later
  type         text NOT NULL,
  asset        text NOT NULL,
  -- when the alert was raised (the hold elapsed), UTC
  ts           timestamptz NOT NULL,
  -- composite price at the crossing that opened the episode
  price        float8 NOT NULL,
  -- relative distance from the peg that counts as off peg (0.005 = 0.5 %)
  threshold    float8 NOT NULL,
  venues       text[] NOT NULL DEFAULT '{}',
  state        text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'recovered')),
  recovered_at timestamptz,
  -- peg, crossing time, worst price, recovery price …
  details      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX alerts_ts_idx ON alerts.alerts (ts DESC);
CREATE INDEX alerts_type_asset_idx ON alerts.alerts (type, asset, ts DESC);

-- Parameters of the live detectors, read on every composite tick (hot-reloaded like the others).
INSERT INTO config.parameters (category, key, value_type, value, description, validation, seeded) VALUES
  ('alerts', 'depeg_threshold', 'float', '0.005', 'Relative distance from the peg beyond which a stablecoin is off peg (0.005 = 0.5 %)', '{"min":0.0001,"max":0.5}', true),
  ('alerts', 'depeg_min_seconds', 'float', '5', 'Seconds the composite price must stay off peg (and back inside) before an alert (a recovery) is raised', '{"min":0,"max":3600}', true),
  ('alerts', 'risk_move_threshold', 'float', '0.01', 'Composite move since the last live VaR that triggers a new one (0.01 = 1 %)', '{"min":0.0001,"max":1}', true),
  ('alerts', 'risk_min_interval_seconds', 'float', '10', 'Least time between two live VaR recomputations (s)', '{"min":0,"max":86400}', true)
ON CONFLICT (category, key) DO NOTHING;
