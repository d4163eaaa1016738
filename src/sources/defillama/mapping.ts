import type { Bar, Interval } from '../../core/types.ts';
import { bucketStart } from '../normalize.ts';
import type { LlamaChartResponse, LlamaPricesResponse, LlamaStablecoin, LlamaSupplyChart } from './schema.ts';

/** Spacing of the points asked from `/chart` (hourly: daily bars are built from them too). */
export const LLAMA_CHART_PERIOD_MS = 3_600_000;

/**
 * DefiLlama's key of a coin from an instrument's provider symbols: `sources.defillama`, else
 * `coingecko:<sources.coingecko>` (DefiLlama's documented form); undefined with neither.
 */
export function llamaKey(sources: Readonly<Record<string, string>> = {}): string | undefined {
  if (sources.defillama) return sources.defillama;
  return sources.coingecko ? `coingecko:${sources.coingecko}` : undefined;
}

/**
 * Circulating supply of a stablecoin: the number of tokens outstanding (≈ USD for a USD coin), in total
 * (`chain` = 'all') or on one chain, at a day's close (UTC midnight) or now.
 */
export interface SupplyPoint {
  /** The coin as users say it (USDC), upper case. */
  symbol: string;
  /** 'all' for the total, else DefiLlama's chain name (Ethereum, Tron…). */
  chain: string;
  /** ms UTC. */
  ts: number;
  circulating: number;
}

export interface LlamaPrice {
  /** DefiLlama's coin key, e.g. `coingecko:usd-coin`. */
  key: string;
  ts: number;
  price: number;
  confidence: number | null;
}

/** A supply amount under the coin's peg type; NaN-free (null when missing or negative: quarantined later). */
function peggedAmount(values: Record<string, number | null> | undefined, pegType: string): number | null {
  const v = values?.[pegType];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Latest total and per-chain supply of one coin from the `/stablecoins` list, stamped `now`. */
export function latestSupply(
  coin: LlamaStablecoin,
  now: number,
): { points: SupplyPoint[]; missing: string[] } {
  const symbol = coin.symbol.toUpperCase();
  const points: SupplyPoint[] = [];
  const missing: string[] = [];
  const total = peggedAmount(coin.circulating, coin.pegType);
  if (total === null) missing.push('all');
  else points.push({ symbol, chain: 'all', ts: now, circulating: total });
  for (const [chain, entry] of Object.entries(coin.chainCirculating ?? {})) {
    const v = peggedAmount(entry.current, coin.pegType);
    if (v === null) missing.push(chain);
    else points.push({ symbol, chain, ts: now, circulating: v });
  }
  return { points, missing };
}

/** Daily history from a `/stablecoincharts` answer (Unix seconds → ms). */
export function supplyHistory(
  symbol: string,
  chain: string,
  pegType: string,
  chart: LlamaSupplyChart,
): SupplyPoint[] {
  const out: SupplyPoint[] = [];
  for (const day of chart) {
    const v = peggedAmount(day.totalCirculating, pegType);
    if (v === null || !Number.isFinite(day.date)) continue;
    out.push({ symbol: symbol.toUpperCase(), chain, ts: day.date * 1000, circulating: v });
  }
  return out;
}

export function llamaPrices(body: LlamaPricesResponse): LlamaPrice[] {
  return Object.entries(body.coins).map(([key, c]) => ({
    key,
    ts: c.timestamp * 1000,
    price: c.price,
    confidence: c.confidence ?? null,
  }));
}

/**
 * The supply drop over the last 24 h as a fraction (−0.05 = −5 %) from a series sorted by time: the newest
 * point against the newest point at least 24 h older. Null when there is no such pair or the older is 0.
 */
export function supplyChange24h(points: readonly SupplyPoint[]): number | null {
  const last = points[points.length - 1];
  if (!last) return null;
  for (let i = points.length - 2; i >= 0; i--) {
    const p = points[i];
    if (p && last.ts - p.ts >= 86_400_000)
      return p.circulating > 0 ? last.circulating / p.circulating - 1 : null;
  }
  return null;
}

/**
 * Bars from a `/chart` answer asked with `period=1h`. Each point is the price DefiLlama holds nearest an
 * hour mark (within a tenth of the period), so it is keyed to that mark (its time rounded to the hour) and
 * read as the price at it: an hourly bar holds the one price at its open, open = high = low = close. A daily
 * bar is built from the day's hour marks: open the first, close the last, high/low their extremes. Volume is
 * 0 (DefiLlama sends none). Points are de-duplicated by mark (the first kept), non-finite or non-positive
 * prices are passed on for the quality gate to quarantine. Bars come out ascending.
 */
export function llamaChartBars(body: LlamaChartResponse, key: string, interval: Interval): Bar[] {
  const coin = body.coins[key];
  if (!coin) return [];
  const byMark = new Map<number, number>();
  for (const p of coin.prices) {
    const mark = Math.round((p.timestamp * 1000) / LLAMA_CHART_PERIOD_MS) * LLAMA_CHART_PERIOD_MS;
    if (!byMark.has(mark)) byMark.set(mark, p.price);
  }
  const bars = new Map<number, Bar>();
  for (const [mark, price] of [...byMark.entries()].sort((a, b) => a[0] - b[0])) {
    const key = bucketStart(mark, interval);
    const bar = bars.get(key);
    if (!bar) bars.set(key, { ts: key, open: price, high: price, low: price, close: price, volume: 0 });
    else {
      bar.high = Math.max(bar.high, price);
      bar.low = Math.min(bar.low, price);
      bar.close = price;
    }
  }
  return [...bars.values()];
}
