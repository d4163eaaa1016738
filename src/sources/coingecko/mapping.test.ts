import { describe, expect, it } from 'vitest';
import { coingeckoBars } from './mapping.ts';
import type { CoinGeckoMarketChart } from './schema.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const D0 = Date.UTC(2024, 2, 1);
// A price path sampled every hour for four days (72 h + the next midnight): p(h) = 60000 + 10·h + 500·sin(h/5).
const price = (h: number): number => 60_000 + 10 * h + 500 * Math.sin(h / 5);
const HOURS = 4 * 24;
// The documented shapes (CoinGecko market_chart/range): under 90 days, hourly points a few seconds past the hour
// (the OpenAPI example has 00:00:41.331, 01:00:47.420, …); past 90 days, one point at 00:00:00.000 UTC per day,
// the price at that instant (= the end of the day before), plus a live point for today.
const hourly: CoinGeckoMarketChart = {
  prices: Array.from({ length: HOURS + 1 }, (_, h): [number, number] => [
    D0 + h * HOUR + 41_331 + (h % 7) * 1000,
    price(h),
  ]),
};
const daily: CoinGeckoMarketChart = {
  prices: Array.from({ length: 5 }, (_, d): [number, number] => [D0 + d * DAY, price(d * 24)]),
  total_volumes: Array.from({ length: 5 }, (_, d): [number, number] => [D0 + d * DAY, 1e9 * (d + 1)]),
};

describe('CoinGecko daily bars are not a day late', () => {
  const range = { from: D0, to: D0 + 4 * DAY };

  it('the 00:00 point of day D closes D−1 and opens D', () => {
    const bars = coingeckoBars(daily, '1d', range.from, range.to);
    expect(bars.map((b) => [b.ts, b.open, b.close, b.volume])).toEqual(
      [0, 1, 2, 3].map((d) => [D0 + d * DAY, price(d * 24), price((d + 1) * 24), 1e9 * (d + 2)]),
    );
  });

  it('a day has the same open and close whether the request spanned more or less than 90 days', () => {
    const fromDaily = coingeckoBars(daily, '1d', range.from, range.to);
    const fromHourly = coingeckoBars(hourly, '1d', range.from, range.to);
    expect(fromHourly.map((b) => [b.ts, b.open, b.close])).toEqual(
      fromDaily.map((b) => [b.ts, b.open, b.close]),
    );
    // the hourly answer also sees the intraday extremes the daily one cannot
    for (const [i, b] of fromHourly.entries()) {
      expect(b.high).toBeGreaterThanOrEqual(fromDaily[i]?.high ?? Number.NaN);
      expect(b.low).toBeLessThanOrEqual(fromDaily[i]?.low ?? Number.NaN);
    }
  });

  it("mixes with exchange bars: day D's close is the price at the end of D, as Binance's 1d close (23:59:59.999)", () => {
    const bars = coingeckoBars(daily, '1d', range.from, range.to);
    // A Binance kline of D opens at D 00:00 and closes at the last trade before D+1 00:00: price(24·(d+1)) here.
    const binance = [0, 1, 2, 3].map((d) => ({
      ts: D0 + d * DAY,
      open: price(d * 24),
      close: price((d + 1) * 24),
    }));
    expect(bars.map((b) => [b.ts, b.open, b.close])).toEqual(binance.map((b) => [b.ts, b.open, b.close]));
  });

  it('an hourly bar opens at its point and closes at the next hour’s', () => {
    const bars = coingeckoBars(hourly, '1h', D0, D0 + 3 * HOUR);
    expect(bars.map((b) => [b.ts, b.open, b.close])).toEqual([
      [D0, price(0), price(1)],
      [D0 + HOUR, price(1), price(2)],
      [D0 + 2 * HOUR, price(2), price(3)],
    ]);
  });
});
