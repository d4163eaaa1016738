-- Instruments, provider symbol mappings, bars and point prices. Times are UTC (timestamptz).
CREATE SCHEMA IF NOT EXISTS market_data;

CREATE TABLE market_data.instruments (
  id              serial PRIMARY KEY,
  symbol          text NOT NULL UNIQUE,
  asset_class     text NOT NULL CHECK (asset_class IN ('equity', 'etf', 'crypto', 'fx', 'stablecoin', 'index', 'economic')),
  name            text NOT NULL,
  currency        text NOT NULL DEFAULT 'USD',
  exchange        text,
  timezone        text NOT NULL DEFAULT 'UTC',
  peg_target      float8,
  active          boolean NOT NULL DEFAULT true,
  inactive_reason text,
  tags            text[] NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON COLUMN market_data.instruments.peg_target IS 'Price a stablecoin is meant to hold (1.0 for USD coins); NULL when not pegged.';

CREATE TABLE market_data.source_symbols (
  instrument_id   integer NOT NULL REFERENCES market_data.instruments (id) ON DELETE CASCADE,
  provider        text NOT NULL,
  provider_symbol text NOT NULL,
  PRIMARY KEY (instrument_id, provider)
);
CREATE INDEX source_symbols_provider_idx ON market_data.source_symbols (provider, provider_symbol);

CREATE TABLE market_data.bars (
  instrument_id integer NOT NULL REFERENCES market_data.instruments (id) ON DELETE CASCADE,
  interval      text NOT NULL CHECK (interval IN ('1m', '5m', '15m', '30m', '1h', '4h', '1d')),
  ts            timestamptz NOT NULL,
  open          float8 NOT NULL,
  high          float8 NOT NULL,
  low           float8 NOT NULL,
  close         float8 NOT NULL,
  volume        float8 NOT NULL DEFAULT 0,
  source        text NOT NULL,
  quality_score real NOT NULL DEFAULT 1,
  is_outlier    boolean NOT NULL DEFAULT false,
  ingested_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instrument_id, interval, ts)
);
COMMENT ON COLUMN market_data.bars.ts IS 'Open time of the bar, UTC.';

CREATE TABLE market_data.prices (
  instrument_id integer NOT NULL REFERENCES market_data.instruments (id) ON DELETE CASCADE,
  ts            timestamptz NOT NULL,
  price         float8 NOT NULL,
  volume        float8,
  market_cap    float8,
  source        text NOT NULL,
  quality_score real NOT NULL DEFAULT 1,
  is_outlier    boolean NOT NULL DEFAULT false,
  ingested_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instrument_id, ts)
);
