-- One-minute bars per venue, as the live streams aggregate them from trades (src/live/). market_data.bars keys
-- one bar per (instrument, interval, ts) whatever its source, so the venues' own bars (which the composite
-- price is the median of) live here; the instrument's primary venue also writes market_data.bars.
CREATE TABLE market_data.venue_bars (
  instrument_id integer NOT NULL REFERENCES market_data.instruments (id) ON DELETE CASCADE,
  venue         text NOT NULL,
  ts            timestamptz NOT NULL,
  open          float8 NOT NULL,
  high          float8 NOT NULL,
  low           float8 NOT NULL,
  close         float8 NOT NULL,
  volume        float8 NOT NULL DEFAULT 0,
  trades        integer,
  -- 'stream' (aggregated from trades) or 'rest' (fetched to repair a gap).
  origin        text NOT NULL,
  ingested_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instrument_id, venue, ts)
);
COMMENT ON COLUMN market_data.venue_bars.ts IS 'Open time of the one-minute bar, UTC.';
