import { DAY_MS } from '../core/time.ts';
import type { Queryable } from '../store/db.ts';
import type { AssetClassSummary, InstrumentMove } from './types.ts';

/** Daily closes of every active instrument up to `asOf` (exclusive), oldest first. */
export interface CloseSeries {
  symbol: string;
  asset_class: string;
  name: string;
  ts: number[];
  close: number[];
}

const STALE_MS = 4 * DAY_MS;

export async function loadCloses(db: Queryable, asOf: number, days = 260): Promise<CloseSeries[]> {
  const res = await db.query<{
    symbol: string;
    asset_class: string;
    name: string;
    ts: Date | string;
    close: number;
  }>(
    `SELECT i.symbol, i.asset_class, i.name, b.ts, b.close
     FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id
     WHERE b.interval = '1d' AND i.active AND NOT b.is_outlier AND b.ts < $1 AND b.ts >= $2
     ORDER BY i.symbol, b.ts`,
    [new Date(asOf), new Date(asOf - days * DAY_MS)],
  );
  const out = new Map<string, CloseSeries>();
  for (const r of res.rows) {
    let s = out.get(r.symbol);
    if (!s) {
      s = { symbol: r.symbol, asset_class: r.asset_class, name: r.name, ts: [], close: [] };
      out.set(r.symbol, s);
    }
    s.ts.push(new Date(r.ts).getTime());
    s.close.push(Number(r.close));
  }
  return [...out.values()];
}

export function instrumentMoves(series: readonly CloseSeries[], asOf: number): InstrumentMove[] {
  const moves: InstrumentMove[] = [];
  for (const s of series) {
    const n = s.close.length;
    const close = s.close[n - 1];
    const ts = s.ts[n - 1];
    if (close === undefined || ts === undefined) continue;
    const prev = n > 1 ? (s.close[n - 2] ?? null) : null;
    // the close at or before 30 days earlier
    let base: number | null = null;
    for (let i = n - 1; i >= 0; i--) {
      if ((s.ts[i] ?? 0) <= ts - 30 * DAY_MS) {
        base = s.close[i] ?? null;
        break;
      }
    }
    moves.push({
      symbol: s.symbol,
      asset_class: s.asset_class,
      name: s.name,
      close,
      ts: new Date(ts).toISOString(),
      prev_close: prev,
      change: prev ? close / prev - 1 : null,
      change_30d: base ? close / base - 1 : null,
      stale: asOf - ts > STALE_MS,
    });
  }
  return moves;
}

export function summariseByClass(moves: readonly InstrumentMove[]): AssetClassSummary[] {
  const classes = new Map<string, InstrumentMove[]>();
  for (const m of moves) classes.set(m.asset_class, [...(classes.get(m.asset_class) ?? []), m]);
  return [...classes.entries()]
    .map(([assetClass, list]) => {
      const fresh = list.filter((m) => !m.stale && m.change !== null) as (InstrumentMove & {
        change: number;
      })[];
      const sorted = [...fresh].sort((a, b) => b.change - a.change);
      const first = sorted[0];
      const last = sorted[sorted.length - 1];
      return {
        asset_class: assetClass,
        instruments: list.length,
        advancers: fresh.filter((m) => m.change > 0).length,
        decliners: fresh.filter((m) => m.change < 0).length,
        avg_change: fresh.length ? fresh.reduce((a, m) => a + m.change, 0) / fresh.length : null,
        best: first ? { symbol: first.symbol, change: first.change } : null,
        worst: last ? { symbol: last.symbol, change: last.change } : null,
      };
    })
    .sort((a, b) => a.asset_class.localeCompare(b.asset_class));
}

/** The `n` largest rises and falls of fresh instruments (stablecoins excluded: their moves are depegs). */
export function topMovers(
  moves: readonly InstrumentMove[],
  n = 5,
): { gainers: InstrumentMove[]; losers: InstrumentMove[] } {
  const fresh = moves.filter((m) => !m.stale && m.change !== null && m.asset_class !== 'stablecoin');
  const byChange = [...fresh].sort((a, b) => (b.change ?? 0) - (a.change ?? 0));
  return {
    gainers: byChange.filter((m) => (m.change ?? 0) > 0).slice(0, n),
    losers: byChange
      .filter((m) => (m.change ?? 0) < 0)
      .reverse()
      .slice(0, n),
  };
}
