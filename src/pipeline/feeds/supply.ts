import type { PubSub } from '../../cache/index.ts';
import { latestSupply, type SupplyPoint, supplyChange24h } from '../../sources/defillama/mapping.ts';
import type { LlamaStablecoin } from '../../sources/defillama/schema.ts';
import type { Db } from '../../store/db.ts';
import { quarantineSupply, readSupply, type SupplyRow, upsertSupply } from '../../store/repos/supply.ts';
import { recordWatermark } from '../watermarks.ts';

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
  /** Also load the daily total history (first run, backfill). @defaultValue false */
  history?: boolean;
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
  alerts: { symbol: string; change_24h: number }[];
  missing: string[];
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
  const result: SupplyFeedResult = { read: 0, stored: 0, quarantined: 0, alerts: [], missing: [] };
  for (const sym of wanted) if (!coins.some((c) => c.symbol.toUpperCase() === sym)) result.missing.push(sym);
  const maxJump = opts.maxDailyChange ?? 0.5;
  for (const coin of coins) {
    const symbol = coin.symbol.toUpperCase();
    const latest = latestSupply(coin, now);
    const points: SupplyPoint[] = [...latest.points];
    if (opts.history) points.push(...(await deps.client.supplyHistory(coin, 'all')));
    result.read += points.length;
    const before = await readSupply(deps.db, symbol, 'all', now - 30 * DAY_MS);
    const accepted: SupplyRow[] = [];
    const rejected: { row: SupplyRow; rule: string; reason: string }[] = [];
    const totals = [...before, ...points.filter((p) => p.chain === 'all')].sort((a, b) => a.ts - b.ts);
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
        const prev = [...totals].reverse().find((q) => q.ts <= p.ts - DAY_MS);
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
    result.stored += await upsertSupply(deps.db, accepted, SOURCE);
    result.quarantined += await quarantineSupply(deps.db, rejected, SOURCE);
    const newest = accepted.reduce((m, p) => Math.max(m, p.ts), Number.NEGATIVE_INFINITY);
    if (Number.isFinite(newest)) await recordWatermark(deps.db, symbol, '1d', `${SOURCE}_supply`, newest);
    const series = await readSupply(deps.db, symbol, 'all', now - 3 * DAY_MS);
    const change = supplyChange24h(series);
    if (change !== null && change <= (opts.dropThreshold ?? -0.05)) {
      result.alerts.push({ symbol, change_24h: change });
      await deps.pubsub?.publish('supply_alerts', {
        type: 'supply_drop',
        asset: symbol,
        change_24h: change,
        circulating: series[series.length - 1]?.circulating ?? null,
        threshold: opts.dropThreshold ?? -0.05,
      });
    }
  }
  return result;
}
