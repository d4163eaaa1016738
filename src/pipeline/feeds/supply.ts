import type { PubSub } from '../../cache/index.ts';
import { describeError } from '../../core/errors.ts';
import { latestSupply, type SupplyPoint, supplyChange24h } from '../../sources/defillama/mapping.ts';
import type { LlamaStablecoin } from '../../sources/defillama/schema.ts';
import type { Db } from '../../store/db.ts';
import { insertAlert } from '../../store/repos/alerts.ts';
import { listInstruments } from '../../store/repos/instruments.ts';
import { quarantineSupply, readSupply, type SupplyRow, upsertSupply } from '../../store/repos/supply.ts';
import { recordWatermark } from '../watermarks.ts';
import { type Feed, feedClients } from './feed.ts';
import { type ItemOutcome, summarize } from './load-summary.ts';
import { runLlamaPrices } from './supply-prices.ts';

const SOURCE = 'defillama';
const DAY_MS = 86_400_000;

/** What the supply feed needs from the DefiLlama client (structural, so tests and fakes fit). */
export interface SupplyClient {
  stablecoins(signal?: AbortSignal): Promise<LlamaStablecoin[]>;
  supplyHistory(
    coin: Pick<LlamaStablecoin, 'id' | 'symbol' | 'pegType'>,
    chain?: string,
  ): Promise<SupplyPoint[]>;
}

export interface SupplyFeedOptions {
  /** Coins to load (upper case, as users say them). */
  symbols: readonly string[];
  /**
   * Also load the daily total history (backfill); 'auto' loads it for a coin with no stored total in the
   * last 30 days (first run). @defaultValue false
   */
  history?: boolean | 'auto';
  /** Supply change over 24 h at or below which a `supply_drop` alert is published. @defaultValue -0.05 */
  dropThreshold?: number;
  /**
   * A day-over-day change beyond this fraction (either way) in the total is refused as implausible
   * (quarantined, rule `supply_jump`). @defaultValue 0.5
   */
  maxDailyChange?: number;
  now?: number;
}

export interface SupplyFeedResult {
  read: number;
  stored: number;
  quarantined: number;
  /** Newly raised drops (a drop already stored for the same newest day is not raised again). */
  alerts: { symbol: string; change_24h: number }[];
  missing: string[];
  /** Per coin asked for (missing ones with an error). */
  coins: ItemOutcome[];
}

/**
 * Loads stablecoin supply (latest total and per chain; daily total history on request), checks each row
 * (finite, ≥ 0; total not jumping more than `maxDailyChange` from the stored day before), quarantines the
 * rest, moves the `1d`/`defillama` watermark of the coin's instrument, and publishes a `supply_drop` on
 * `supply_alerts` when the total fell by `dropThreshold` or more in 24 h.
 */
export async function runSupplyFeed(
  deps: { db: Db; client: SupplyClient; pubsub?: PubSub },
  opts: SupplyFeedOptions,
): Promise<SupplyFeedResult> {
  const now = opts.now ?? Date.now();
  const wanted = new Set(opts.symbols.map((s) => s.toUpperCase()));
  const coins = (await deps.client.stablecoins()).filter((c) => wanted.has(c.symbol.toUpperCase()));
  const result: SupplyFeedResult = { read: 0, stored: 0, quarantined: 0, alerts: [], missing: [], coins: [] };
  const listed = new Set(coins.map((c) => c.symbol.toUpperCase()));
  for (const sym of wanted) {
    if (listed.has(sym)) continue;
    result.missing.push(sym);
    result.coins.push({
      symbol: sym,
      read: 0,
      stored: 0,
      unchanged: 0,
      quarantined: 0,
      error: new Error(`DefiLlama lists no stablecoin ${sym}`),
    });
  }
  const maxJump = opts.maxDailyChange ?? 0.5;
  for (const coin of coins) {
    const symbol = coin.symbol.toUpperCase();
    const latest = latestSupply(coin, now);
    const points: SupplyPoint[] = [...latest.points];
    const before = await readSupply(deps.db, symbol, 'all', now - 30 * DAY_MS);
    const history = opts.history === 'auto' ? before.length === 0 : (opts.history ?? false);
    if (history) points.push(...(await deps.client.supplyHistory(coin, 'all')));
    result.read += points.length;
    const accepted: SupplyRow[] = [];
    const rejected: { row: SupplyRow; rule: string; reason: string }[] = [];
    const totalAtOrBefore = lastAtOrBefore(
      [...before, ...points.filter((p) => p.chain === 'all')].sort((a, b) => a.ts - b.ts),
    );
    for (const p of points) {
      if (!Number.isFinite(p.circulating) || p.circulating < 0) {
        rejected.push({
          row: p,
          rule: 'supply_bounds',
          reason: `circulating ${p.circulating} is not a finite amount ≥ 0`,
        });
        continue;
      }
      if (p.chain === 'all') {
        const prev = totalAtOrBefore(p.ts - DAY_MS);
        if (prev && prev.circulating > 0 && Math.abs(p.circulating / prev.circulating - 1) > maxJump) {
          rejected.push({
            row: p,
            rule: 'supply_jump',
            reason: `total ${p.circulating} vs ${prev.circulating} a day before: more than ${maxJump * 100} % apart`,
          });
          continue;
        }
      }
      accepted.push(p);
    }
    const stored = await upsertSupply(deps.db, accepted, SOURCE);
    const quarantined = await quarantineSupply(deps.db, rejected, SOURCE);
    result.stored += stored;
    result.quarantined += quarantined;
    result.coins.push({
      symbol,
      read: points.length,
      stored,
      unchanged: accepted.length - stored,
      quarantined,
    });
    const newest = accepted.reduce((m, p) => Math.max(m, p.ts), Number.NEGATIVE_INFINITY);
    if (Number.isFinite(newest)) await recordWatermark(deps.db, symbol, '1d', `${SOURCE}_supply`, newest);
    const series = await readSupply(deps.db, symbol, 'all', now - 3 * DAY_MS);
    const change = supplyChange24h(series);
    const threshold = opts.dropThreshold ?? -0.05;
    const last = series[series.length - 1];
    if (change !== null && last && change <= threshold) {
      const alert = await storeSupplyDrop(deps.db, symbol, last, change, threshold, now);
      if (!alert) continue;
      result.alerts.push({ symbol, change_24h: change });
      await deps.pubsub?.publish('supply_alerts', {
        type: 'supply_drop',
        id: alert.id,
        asset: symbol,
        change_24h: change,
        circulating: last.circulating,
        threshold,
      });
    }
  }
  return result;
}

/**
 * A lookup over `sorted` (ascending `ts`; equal times in a stable order): the last row at or before a time,
 * i.e. what a search from the end finds. A binary search, as the feed asks once per total and a backfill
 * loads years of daily totals (copying and scanning the list per total was quadratic).
 */
export function lastAtOrBefore<T extends { ts: number }>(
  sorted: readonly T[],
): (ts: number) => T | undefined {
  return (ts) => {
    // first index whose time is after ts: the rows before it are exactly those at or before ts
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid]?.ts ?? Number.POSITIVE_INFINITY) <= ts) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? sorted[lo - 1] : undefined;
  };
}

/**
 * Stores a supply drop in `alerts.alerts` (type `supply_drop`; `price` holds the circulating total, details
 * the change), at most once per coin in 24 h: null when a drop of that coin was raised in the 24 h before `now`.
 */
async function storeSupplyDrop(
  db: Db,
  symbol: string,
  last: SupplyRow,
  change: number,
  threshold: number,
  now: number,
): Promise<{ id: number } | null> {
  const asOf = new Date(last.ts).toISOString();
  const seen = await db.query(
    `SELECT 1 FROM alerts.alerts WHERE type = 'supply_drop' AND asset = $1 AND ts > $2 LIMIT 1`,
    [symbol, new Date(now - DAY_MS).toISOString()],
  );
  if (seen.rows.length > 0) return null;
  return insertAlert(db, {
    type: 'supply_drop',
    asset: symbol,
    ts: now,
    price: last.circulating,
    threshold,
    venues: [SOURCE],
    details: { as_of: asOf, circulating: last.circulating, change_24h: change },
  });
}

export interface SupplyIngestOptions {
  /** Coins (default: every active stablecoin instrument). */
  symbols?: readonly string[];
  /** Reload the daily history (default: only for coins with none stored yet). */
  full?: boolean;
}

/**
 * The supply feed (`ingest supply`, job `supply_daily`): DefiLlama through the runtime's client, drop
 * threshold from config `alerts.supply_drop_threshold` (default −5 % in 24 h). An unreachable DefiLlama
 * is a per-coin error (`unavailable`), so jobs record the run `skipped`.
 */
export const supplyFeed: Feed<SupplyIngestOptions> = {
  name: 'supply',
  async ingest(deps, opts = {}) {
    const started = Date.now();
    const stablecoins = await listInstruments(deps.db, { assetClass: 'stablecoin', active: true });
    const symbols =
      opts.symbols && opts.symbols.length > 0
        ? opts.symbols.map((s) => s.toUpperCase())
        : stablecoins.map((i) => i.symbol);
    if (symbols.length === 0) return summarize('incremental', started, []);
    const { defillama } = await feedClients(deps.clients);
    const dropThreshold = deps.config?.getFloat('alerts', 'supply_drop_threshold', -0.05) ?? -0.05;
    const mode = opts.full ? 'full' : 'incremental';
    try {
      const r = await runSupplyFeed(
        { db: deps.db, client: defillama, pubsub: deps.pubsub },
        { symbols, history: opts.full ? true : 'auto', dropThreshold },
      );
      const wanted = new Set(symbols);
      // a price failure does not undo the supply stored: it is reported beside it
      const prices = await runLlamaPrices(
        deps.db,
        defillama,
        stablecoins.filter((i) => wanted.has(i.symbol)),
      ).catch((err: unknown) => ({ error: describeError(err) }));
      return { ...summarize(mode, started, r.coins), alerts: r.alerts, prices };
    } catch (err) {
      const items = symbols.map((symbol) => ({
        symbol,
        read: 0,
        stored: 0,
        unchanged: 0,
        quarantined: 0,
        error: err,
      }));
      return summarize(mode, started, items);
    }
  },
};
