import type { Queryable } from '../db.ts';

/** One stored supply observation (see migration 095). */
export interface SupplyRow {
  symbol: string;
  /** 'all' for the total. */
  chain: string;
  /** ms UTC. */
  ts: number;
  circulating: number;
}

/**
 * Idempotent set-based upsert (one statement over unnest arrays): re-running a load changes nothing, and
 * a value only counts as stored when it differs from what is there.
 */
export async function upsertSupply(
  db: Queryable,
  rows: readonly SupplyRow[],
  source: string,
): Promise<number> {
  if (rows.length === 0) return 0;
  const res = await db.query(
    `INSERT INTO market_data.stablecoin_supply (symbol, chain, ts, circulating, source)
     SELECT s, c, t, v, $5 FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[]) AS u(s, c, t, v)
     ON CONFLICT (symbol, chain, ts) DO UPDATE
       SET circulating = EXCLUDED.circulating, source = EXCLUDED.source, ingested_at = now()
       WHERE market_data.stablecoin_supply.circulating IS DISTINCT FROM EXCLUDED.circulating`,
    [
      rows.map((r) => r.symbol),
      rows.map((r) => r.chain),
      rows.map((r) => new Date(r.ts).toISOString()),
      rows.map((r) => r.circulating),
      source,
    ],
  );
  return res.rowCount;
}

/** Supply of one coin on one chain ('all' = total) from `from` (ms), ascending. */
export async function readSupply(
  db: Queryable,
  symbol: string,
  chain = 'all',
  from = 0,
): Promise<SupplyRow[]> {
  const res = await db.query<{ ts: Date; circulating: number }>(
    `SELECT ts, circulating FROM market_data.stablecoin_supply
      WHERE symbol = $1 AND chain = $2 AND ts >= $3 ORDER BY ts`,
    [symbol, chain, new Date(from).toISOString()],
  );
  return res.rows.map((r) => ({ symbol, chain, ts: new Date(r.ts).getTime(), circulating: r.circulating }));
}

/**
 * Refused supply rows, kept with their rule and reason in ops.quarantine (never dropped); a row already
 * quarantined (same coin, chain, day and rule) is not added again when a load is re-run.
 */
export async function quarantineSupply(
  db: Queryable,
  rejected: readonly { row: SupplyRow; rule: string; reason: string }[],
  source: string,
): Promise<number> {
  if (rejected.length === 0) return 0;
  const res = await db.query(
    `INSERT INTO ops.quarantine (symbol, interval, source, rule, reason, raw, ts)
     SELECT s, 'supply', $1, r, why, raw::jsonb, t
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS u(s, r, why, raw, t)
      WHERE NOT EXISTS (
        SELECT 1 FROM ops.quarantine q
         WHERE q.interval = 'supply' AND q.source = $1 AND q.symbol = u.s AND q.ts = u.t AND q.rule = u.r
           AND q.raw->>'chain' = (u.raw::jsonb)->>'chain')`,
    [
      source,
      rejected.map((q) => q.row.symbol),
      rejected.map((q) => q.rule),
      rejected.map((q) => q.reason),
      rejected.map((q) => JSON.stringify(q.row)),
      rejected.map((q) => new Date(q.row.ts).toISOString()),
    ],
  );
  return res.rowCount;
}

/** What `supply --json` and `GET /api/supply` show for one coin. */
export interface SupplyView {
  symbol: string;
  /** Newest stored total, null when none. */
  latest: { ts: string; circulating: number } | null;
  /** Newest stored supply per chain, largest first. */
  chains: { chain: string; ts: string; circulating: number }[];
  /** Stored totals from `from` to `to`, oldest first. */
  history: { ts: string; circulating: number }[];
}

const DAY_MS = 86_400_000;

/** Latest total, latest per chain and the total's history (default: the last 90 days) of one coin. */
export async function supplyView(
  db: Queryable,
  symbol: string,
  range: { from?: number; to?: number } = {},
): Promise<SupplyView> {
  const to = range.to ?? Date.now();
  const from = range.from ?? to - 90 * DAY_MS;
  const iso = (v: Date | string) => new Date(v).toISOString();
  const [hist, chains] = await Promise.all([
    db.query<{ ts: Date; circulating: number }>(
      `SELECT ts, circulating FROM market_data.stablecoin_supply
        WHERE symbol = $1 AND chain = 'all' AND ts >= $2 AND ts <= $3 ORDER BY ts`,
      [symbol, new Date(from).toISOString(), new Date(to).toISOString()],
    ),
    db.query<{ chain: string; ts: Date; circulating: number }>(
      `SELECT DISTINCT ON (chain) chain, ts, circulating FROM market_data.stablecoin_supply
        WHERE symbol = $1 AND ts <= $2 ORDER BY chain, ts DESC`,
      [symbol, new Date(to).toISOString()],
    ),
  ]);
  const all = chains.rows.find((r) => r.chain === 'all');
  return {
    symbol,
    latest: all ? { ts: iso(all.ts), circulating: Number(all.circulating) } : null,
    chains: chains.rows
      .filter((r) => r.chain !== 'all')
      .map((r) => ({ chain: r.chain, ts: iso(r.ts), circulating: Number(r.circulating) }))
      .sort((a, b) => b.circulating - a.circulating),
    history: hist.rows.map((r) => ({ ts: iso(r.ts), circulating: Number(r.circulating) })),
  };
}

/** The newest stored total of every coin with supply stored, by symbol (`GET /api/supply/coins`). */
export async function latestSupplyTotals(
  db: Queryable,
): Promise<{ symbol: string; ts: string; circulating: number }[]> {
  const res = await db.query<{ symbol: string; ts: Date; circulating: number }>(
    `SELECT DISTINCT ON (symbol) symbol, ts, circulating FROM market_data.stablecoin_supply
      WHERE chain = 'all' ORDER BY symbol, ts DESC`,
  );
  return res.rows.map((r) => ({
    symbol: r.symbol,
    ts: new Date(r.ts).toISOString(),
    circulating: Number(r.circulating),
  }));
}
