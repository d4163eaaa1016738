/**
 * The SVB night for USDC as trades: for each hour of samples/USDC_kraken_hourly_2023-03.csv (Kraken USDC/USD,
 * provenance in samples/README.md) sixty minute levels run open → first extreme → second extreme → close
 * (extremes at seeded minutes), three trades a minute at that level, so the 1m bars reproduce the hour's
 * open, high, low, close and volume.
 */
import { readFileSync } from 'node:fs';
import { uniformAt } from '../../src/sources/synthetic/random.ts';
import type { FakeTrade } from './fake-venues.ts';

export interface HourRow {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export function svbHours(fromIso: string, hours: number): HourRow[] {
  const text = readFileSync(new URL('../../samples/USDC_kraken_hourly_2023-03.csv', import.meta.url), 'utf8');
  const from = Date.parse(fromIso);
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [t, o, h, l, c, , v] = line.split(',');
      return {
        ts: Date.parse(t ?? ''),
        open: Number(o),
        high: Number(h),
        low: Number(l),
        close: Number(c),
        volume: Number(v),
      };
    })
    .filter((r) => r.ts >= from && r.ts < from + hours * 3_600_000);
}

export function svbTrades(hours: readonly HourRow[], venueSymbol: string, seed = 11): FakeTrade[] {
  const trades: FakeTrade[] = [];
  let id = 1000;
  hours.forEach((h, n) => {
    const a = 1 + Math.floor(uniformAt(seed, 2 * n) * 57);
    const b = a + 1 + Math.floor(uniformAt(seed, 2 * n + 1) * (58 - a));
    const up = h.close >= h.open;
    // Rising hour: low first, then high; falling hour: high first.
    const anchors: Array<[number, number]> = [
      [0, h.open],
      [a, up ? h.low : h.high],
      [b, up ? h.high : h.low],
      [59, h.close],
    ];
    const qty = h.volume / 180;
    for (let k = 0; k < 60; k++) {
      let level = h.close;
      for (let i = 0; i + 1 < anchors.length; i++) {
        const [k0, p0] = anchors[i] ?? [0, 0];
        const [k1, p1] = anchors[i + 1] ?? [0, 0];
        if (k >= k0 && k <= k1) {
          level = k1 === k0 ? p1 : p0 + ((p1 - p0) * (k - k0)) / (k1 - k0);
          break;
        }
      }
      level = Math.round(level * 1e6) / 1e6;
      for (const s of [5, 30, 55])
        trades.push({ venueSymbol, price: level, qty, ts: h.ts + k * 60_000 + s * 1000, id: id++ });
    }
  });
  return trades;
}
