-- Model registry (MLflow-like): every trained version with its parameters, features, training window,
-- walk-forward metrics beside its baseline, the serialised model, and which version is active.
CREATE SCHEMA IF NOT EXISTS models;

CREATE TABLE models.versions (
  name                 text NOT NULL,
  version              integer NOT NULL,
  task                 text NOT NULL,
  params               jsonb NOT NULL,
  features             text[] NOT NULL,
  train_from           timestamptz,
  train_to             timestamptz,
  metrics              jsonb NOT NULL,
  baseline             jsonb NOT NULL,
  better_than_baseline boolean NOT NULL,
  model                jsonb NOT NULL,
  seed                 integer NOT NULL,
  active               boolean NOT NULL DEFAULT false,
  created_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, version),
  -- A model that did not beat its baseline is never in use.
  CONSTRAINT active_beats_baseline CHECK (NOT active OR better_than_baseline)
);
-- At most one active version per model.
CREATE UNIQUE INDEX versions_one_active ON models.versions (name) WHERE active;

-- The walk-forward forecasts each version was scored on (metrics can be recomputed from these rows).
-- y is the outcome: 0/1 for a classifier (depeg, regimes), the realised squared return for a volatility
-- model (p and p_baseline are then variances).
CREATE TABLE models.predictions (
  name       text NOT NULL,
  version    integer NOT NULL,
  asset      text NOT NULL,
  ts         timestamptz NOT NULL,
  y          float8 NOT NULL,
  p          float8 NOT NULL,
  p_baseline float8 NOT NULL,
  PRIMARY KEY (name, version, asset, ts),
  FOREIGN KEY (name, version) REFERENCES models.versions (name, version) ON DELETE CASCADE
);

-- How the VaR weights its stress scenarios: "default" (as stored) or "model" (scaled by the active depeg
-- model's probability relative to its base rate; see src/risk/scenarios.ts modelScenarioWeights).
INSERT INTO config.parameters (category, key, value_type, value, description, validation, seeded) VALUES
  ('risk', 'scenario_weights', 'string', '"default"', 'Scenario weights of the VaR: "default" as stored, "model" scaled by the active depeg model (migration 096)', '{"allowed":["default","model"]}', true)
ON CONFLICT (category, key) DO NOTHING;

-- Contagion alerts mention the active correlation-regime model when its P(high-correlation regime next
-- week) is at or above this (src/analytics/alerts.ts).
INSERT INTO config.parameters (category, key, value_type, value, description, validation, seeded) VALUES
  ('alerts', 'regime_probability', 'float', '0.5', 'P(high-correlation regime next week) of the active regimes model at or above which contagion alerts mention it (migration 096)', '{"min":0,"max":1}', true)
ON CONFLICT (category, key) DO NOTHING;
