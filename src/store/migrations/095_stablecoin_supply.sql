-- Circulating supply of stablecoins (DefiLlama): tokens outstanding per coin, in total (chain = 'all') and
-- per chain, daily (UTC midnight) and latest. A run on a stablecoin shows first as supply shrinking.
CREATE TABLE market_data.stablecoin_supply (
  symbol       text NOT NULL,
  chain        text NOT NULL,
  ts           timestamptz NOT NULL,
  circulating  float8 NOT NULL CHECK (circulating >= 0),
  source       text NOT NULL DEFAULT 'defillama',
  ingested_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, chain, ts)
);
COMMENT ON COLUMN market_data.stablecoin_supply.chain IS 'DefiLlama chain name, or ''all'' for the total.';
