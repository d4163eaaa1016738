-- Execution (issue 21): orders as a state machine (src/execution/broker.ts ORDER_TRANSITIONS), every transition
-- stored, fills idempotent per broker fill id, positions per broker, the kill switch and pre-trade risk decisions.
-- Quantities are unsigned with a side on orders and fills; positions are signed (positive long).
CREATE SCHEMA IF NOT EXISTS execution;

-- Cash and equity of a broker account as last reported (one row per broker).
CREATE TABLE IF NOT EXISTS execution.accounts (
  broker     text PRIMARY KEY,
  currency   text NOT NULL DEFAULT 'USD',
  cash       float8 NOT NULL DEFAULT 0,
  equity     float8,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS execution.orders (
  id              bigserial PRIMARY KEY,
  -- deterministic per strategy signal: a retried submit finds this row instead of placing a second order
  client_order_id text NOT NULL UNIQUE,
  broker          text NOT NULL,
  broker_order_id text,
  strategy        text,
  run_id          text,
  symbol          text NOT NULL,
  side            text NOT NULL CHECK (side IN ('buy', 'sell')),
  type            text NOT NULL CHECK (type IN ('market', 'limit', 'stop')),
  qty             float8 NOT NULL CHECK (qty > 0),
  limit_price     float8,
  status          text NOT NULL DEFAULT 'new'
                  CHECK (status IN ('new', 'accepted', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired')),
  filled_qty      float8 NOT NULL DEFAULT 0,
  avg_price       float8,
  -- why it was rejected (the risk rule), cancelled or expired
  reason          text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS orders_status_idx ON execution.orders (status, id DESC);
CREATE INDEX IF NOT EXISTS orders_strategy_idx ON execution.orders (strategy, id DESC);

-- Every transition of every order (from_status NULL: the order was created).
CREATE TABLE IF NOT EXISTS execution.order_events (
  id          bigserial PRIMARY KEY,
  order_id    bigint NOT NULL REFERENCES execution.orders (id) ON DELETE CASCADE,
  from_status text,
  to_status   text NOT NULL,
  reason      text,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS order_events_order_idx ON execution.order_events (order_id, id);

CREATE TABLE IF NOT EXISTS execution.fills (
  id           bigserial PRIMARY KEY,
  order_id     bigint REFERENCES execution.orders (id) ON DELETE SET NULL,
  broker       text NOT NULL,
  -- the venue's trade id: storing a fill twice is a no-op
  fill_id      text NOT NULL,
  symbol       text NOT NULL,
  side         text NOT NULL CHECK (side IN ('buy', 'sell')),
  qty          float8 NOT NULL CHECK (qty > 0),
  price        float8 NOT NULL,
  fee          float8 NOT NULL DEFAULT 0,
  fee_currency text,
  -- P&L this fill realised against the position's average price (before fees)
  realized_pnl float8 NOT NULL DEFAULT 0,
  ts           timestamptz NOT NULL,
  UNIQUE (broker, fill_id)
);
CREATE INDEX IF NOT EXISTS fills_ts_idx ON execution.fills (ts DESC);
-- addFill sums an order's fills
CREATE INDEX IF NOT EXISTS fills_order_idx ON execution.fills (order_id);

CREATE TABLE IF NOT EXISTS execution.positions (
  broker       text NOT NULL,
  symbol       text NOT NULL,
  -- signed, positive long
  qty          float8 NOT NULL DEFAULT 0,
  avg_price    float8 NOT NULL DEFAULT 0,
  realized_pnl float8 NOT NULL DEFAULT 0,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (broker, symbol)
);

-- The kill switch: a row halts new orders, 'global' for all, 'strategy:NAME' for one strategy.
CREATE TABLE IF NOT EXISTS execution.halts (
  scope  text PRIMARY KEY CHECK (scope = 'global' OR scope LIKE 'strategy:%'),
  reason text NOT NULL,
  actor  text NOT NULL DEFAULT 'system',
  at     timestamptz NOT NULL DEFAULT now()
);

-- Every pre-trade risk decision (allowed or the rule that refused).
CREATE TABLE IF NOT EXISTS execution.risk_decisions (
  id              bigserial PRIMARY KEY,
  at              timestamptz NOT NULL DEFAULT now(),
  client_order_id text NOT NULL,
  strategy        text,
  broker          text NOT NULL,
  symbol          text NOT NULL,
  allowed         boolean NOT NULL,
  rule            text,
  detail          jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS risk_decisions_at_idx ON execution.risk_decisions (at DESC);

-- Chat reads the execution schema like the others (migration 080 granted only schemas that existed then).
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'marketpipe_chat_ro') THEN
    BEGIN
      GRANT USAGE ON SCHEMA execution TO marketpipe_chat_ro;
      GRANT SELECT ON ALL TABLES IN SCHEMA execution TO marketpipe_chat_ro;
    EXCEPTION WHEN OTHERS THEN
      NULL;
    END;
  END IF;
END
$$;

-- Pre-trade risk limits and the live switch (src/config/defaults.ts keeps the same rows); 0 turns a limit off.
INSERT INTO config.parameters (category, key, value_type, value, description, validation, seeded) VALUES
  ('risk_limits', 'max_order_notional', 'float', '0', 'Largest notional of one order (account currency); 0 = no limit', '{"min":0}', true),
  ('risk_limits', 'max_position_notional', 'float', '0', 'Largest notional of one position after an order (account currency); 0 = no limit', '{"min":0}', true),
  ('risk_limits', 'max_gross_exposure', 'float', '0', 'Largest sum of |position notional| over a broker account after an order; 0 = no limit', '{"min":0}', true),
  ('risk_limits', 'max_daily_loss', 'float', '0', 'Loss since the start of the UTC day that halts the strategy (account currency, positive); 0 = no limit', '{"min":0}', true),
  ('risk_limits', 'halt_on_depeg', 'json', 'true', 'Refuse new orders while a depeg alert is open on a stablecoin the account holds or quotes in', '{"allowed":[true,false]}', true),
  ('trading', 'live_enabled', 'json', 'false', 'Allow orders to external brokers (with trade run --live); off: runs are dry runs', '{"allowed":[true,false]}', true)
ON CONFLICT (category, key) DO NOTHING;
