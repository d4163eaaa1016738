import type { Bar } from '../../../src/api/contract/asset.ts';

/** One bar as the chart draws it: epoch ms and OHLC (volume null when the series has none). */
export interface Candle {
  t: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
}

/** A bar of `GET /api/asset/:symbol` (`volume` absent in a depeg window's bars). */
type BarIn = Omit<Bar, 'volume'> & { volume?: number };

/** Bars as candles: sorted by time, one per time, bars with an unreadable time dropped. */
export function candlesOf(bars: readonly BarIn[] | null | undefined): Candle[] {
  const out: Candle[] = [];
  for (const b of bars ?? []) {
    const t = Date.parse(b.ts);
    if (Number.isNaN(t)) continue;
    out.push({ t, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume ?? null });
  }
  out.sort((a, b) => a.t - b.t);
  return out.filter((c, i) => i === 0 || c.t !== out[i - 1]?.t);
}
