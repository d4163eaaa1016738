/** Example questions with their SQL, given to the model as patterns (all pass the SQL guard). */
export interface ExampleQuery {
  question: string;
  sql: string;
  /** Reads private relations: shown to the local model only. */
  private?: boolean;
}

export const EXAMPLE_QUERIES: readonly ExampleQuery[] = [
  {
    question: 'What was the last daily close of BTC?',
    sql: `SELECT b.ts, b.close
FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id
WHERE i.symbol = 'BTC' AND b.interval = '1d'
ORDER BY b.ts DESC LIMIT 1`,
  },
  {
    question: 'Which 5 instruments moved most over the last 30 days?',
    sql: `WITH last AS (
  SELECT b.instrument_id, b.close, b.ts,
         first_value(b.close) OVER (PARTITION BY b.instrument_id ORDER BY b.ts) AS first_close,
         row_number() OVER (PARTITION BY b.instrument_id ORDER BY b.ts DESC) AS rn
  FROM market_data.bars b
  WHERE b.interval = '1d' AND b.ts >= now() - interval '30 days'
)
SELECT i.symbol, round(((l.close / l.first_close - 1) * 100)::numeric, 2) AS change_pct
FROM last l JOIN market_data.instruments i ON i.id = l.instrument_id
WHERE l.rn = 1
ORDER BY abs(l.close / l.first_close - 1) DESC LIMIT 5`,
  },
  {
    question: 'How many instruments are there per asset class?',
    sql: `SELECT asset_class, count(*) AS instruments
FROM market_data.instruments WHERE active GROUP BY asset_class ORDER BY instruments DESC`,
  },
  {
    question: 'Show the worst stablecoin depegs',
    sql: `SELECT asset, start_time, min_price, severity_score
FROM derived.depeg_events ORDER BY severity_score DESC LIMIT 10`,
  },
  {
    question: 'Which strategies are configured?',
    sql: 'SELECT name, kind, params FROM strategies.definitions ORDER BY name',
    private: true,
  },
];
