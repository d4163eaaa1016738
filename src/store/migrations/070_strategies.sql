-- Strategies and backtests: strategy definitions, one row per backtest run with its metrics and equity
-- curve (`performance`, also visible as `runs`), and every fill of a run (`signals`).
CREATE SCHEMA IF NOT EXISTS strategies;

CREATE TABLE strategies.definitions (
  id          serial PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  -- builtin: one of src/backtest/strategies; module: a user TypeScript module loaded by path
  kind        text NOT NULL CHECK (kind IN ('builtin', 'module')),
  params      jsonb NOT NULL DEFAULT '{}'::jsonb,
  description text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE strategies.performance (
  id          bigserial PRIMARY KEY,
  strategy    text NOT NULL,
  symbols     text[] NOT NULL,
  interval    text NOT NULL DEFAULT '1d',
  from_ts     timestamptz NOT NULL,
  to_ts       timestamptz NOT NULL,
  params      jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- engine settings: fill model, costs, stops, drawdown limit, initial cash
  config      jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- historical: replay of stored bars; simulated: Monte Carlo over a calibrated model
  mode        text NOT NULL CHECK (mode IN ('historical', 'simulated')),
  simulation  jsonb,
  scenario    jsonb,
  metrics     jsonb NOT NULL,
  benchmark   jsonb,
  -- {ts: [epoch ms], equity: [...], benchmark: [...]}, thinned to at most a few thousand points
  equity      jsonb,
  trades      jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX performance_strategy_created_idx ON strategies.performance (strategy, created_at DESC);

CREATE VIEW strategies.runs AS SELECT * FROM strategies.performance;

CREATE TABLE strategies.signals (
  run_id  bigint NOT NULL REFERENCES strategies.performance (id) ON DELETE CASCADE,
  seq     integer NOT NULL,
  ts      timestamptz NOT NULL,
  symbol  text NOT NULL,
  side    text NOT NULL CHECK (side IN ('buy', 'sell')),
  qty     float8 NOT NULL,
  price   float8 NOT NULL,
  fee     float8 NOT NULL DEFAULT 0,
  reason  text NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX signals_symbol_ts_idx ON strategies.signals (symbol, ts);
