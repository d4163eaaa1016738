import { describe, expect, it } from 'vitest';
import { expectedBarTimes } from '../../core/calendar.ts';
import type { Bar, Instrument } from '../../core/types.ts';
import { syntheticBars, syntheticMarket } from './generator.ts';

const make = (
  symbol: string,
  assetClass: Instrument['assetClass'],
  extra: Partial<Instrument> = {},
): Instrument => ({
  symbol,
  assetClass,
  name: symbol,
  currency: 'USD',
  timezone: assetClass === 'equity' || assetClass === 'etf' ? 'America/New_York' : 'UTC',
  ...extra,
});
const AAPL = make('AAPL', 'equity');
const BTC = make('BTC', 'crypto');
const EUR = make('EUR_USD', 'fx');
const USDC = make('USDC', 'stablecoin', { pegTarget: 1 });
const DAY = 86_400_000;

function dailyVol(bars: readonly Bar[]): number {
  const r: number[] = [];
  for (let i = 1; i < bars.length; i += 1)
    r.push(Math.log((bars[i]?.close ?? 1) / (bars[i - 1]?.close ?? 1)));
  const mean = r.reduce((a, b) => a + b, 0) / r.length;
  return Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1));
}

describe('syntheticBars determinism', () => {
  it('gives identical bars for the same range and seed, and a sub-range is a slice', () => {
    const range = { from: Date.UTC(2023, 0, 1), to: Date.UTC(2023, 2, 1) };
    const a = syntheticBars(BTC, '1h', range, { seed: 42 });
    const b = syntheticBars(BTC, '1h', range, { seed: 42 });
    expect(b).toEqual(a);
    const sub = syntheticBars(
      BTC,
      '1h',
      { from: Date.UTC(2023, 1, 1), to: Date.UTC(2023, 1, 2) },
      { seed: 42 },
    );
    expect(sub).toEqual(a.filter((bar) => bar.ts >= Date.UTC(2023, 1, 1) && bar.ts < Date.UTC(2023, 1, 2)));
  });

  it('shares one path across intervals: prices agree at common instants', () => {
    const day = { from: Date.UTC(2023, 5, 1), to: Date.UTC(2023, 5, 2) };
    const hourly = syntheticBars(BTC, '1h', day);
    const minutes = syntheticBars(BTC, '1m', day);
    const fives = syntheticBars(BTC, '5m', day);
    const daily = syntheticBars(BTC, '1d', day);
    expect(hourly[0]?.open).toBe(daily[0]?.open);
    expect(hourly[23]?.close).toBe(daily[0]?.close);
    expect(minutes[59]?.close).toBe(hourly[0]?.close);
    expect(fives[11]?.close).toBe(hourly[0]?.close);
    expect(minutes[4]?.close).toBe(fives[0]?.close);
  });

  it('differs by seed and by symbol', () => {
    const range = { from: Date.UTC(2023, 0, 1), to: Date.UTC(2023, 0, 10) };
    expect(syntheticBars(BTC, '1d', range, { seed: 1 })).not.toEqual(
      syntheticBars(BTC, '1d', range, { seed: 2 }),
    );
    expect(syntheticBars(make('AAA', 'equity'), '1d', range)[0]?.close).not.toBe(
      syntheticBars(make('BBB', 'equity'), '1d', range)[0]?.close,
    );
  });
});

describe('syntheticBars shape', () => {
  it('follows the market calendar: NYSE trading days, FX weekdays, crypto every hour', () => {
    const range = { from: Date.UTC(2023, 11, 20), to: Date.UTC(2024, 0, 5) };
    expect(syntheticBars(AAPL, '1d', range).map((b) => b.ts)).toEqual(
      expectedBarTimes('equity', '1d', range),
    );
    expect(syntheticBars(AAPL, '1h', range).map((b) => b.ts)).toEqual(
      expectedBarTimes('equity', '1h', range),
    );
    expect(syntheticBars(EUR, '1h', range).map((b) => b.ts)).toEqual(expectedBarTimes('fx', '1h', range));
    expect(syntheticBars(BTC, '1h', range)).toHaveLength(16 * 24);
  });

  it('keeps OHLC consistent and prices positive', () => {
    const range = { from: Date.UTC(2022, 0, 1), to: Date.UTC(2022, 1, 1) };
    const bad: Array<[string, Bar]> = [];
    for (const inst of [AAPL, BTC, EUR, USDC]) {
      for (const bar of [...syntheticBars(inst, '1d', range), ...syntheticBars(inst, '15m', range)]) {
        const ok =
          bar.low > 0 &&
          bar.low <= Math.min(bar.open, bar.close) &&
          bar.high >= Math.max(bar.open, bar.close);
        if (!ok) bad.push([inst.symbol, bar]);
      }
    }
    expect(bad).toEqual([]);
  });

  it('has realistic daily volatility by asset class (calibrated on the samples)', () => {
    const range = { from: Date.UTC(2016, 0, 1), to: Date.UTC(2021, 0, 1) };
    const c = syntheticMarket().calibration;
    // Real BTC 2021-12 → 2025-12 (samples/daily/BTC_yahoo_daily_2021-2025.csv) moves ≈ 2.8 %/day; G10 FX
    // ≈ 0.5 %/day long-run; a large cap ≈ 1.5 %/day (equities skip weekends: their closes are ~1.4 days apart).
    expect(c.cryptoVol).toBeGreaterThan(0.02);
    expect(c.cryptoVol).toBeLessThan(0.04);
    expect(dailyVol(syntheticBars(BTC, '1d', range))).toBeGreaterThan(c.cryptoVol * 0.8);
    expect(dailyVol(syntheticBars(BTC, '1d', range))).toBeLessThan(c.cryptoVol * 1.25);
    expect(dailyVol(syntheticBars(EUR, '1d', range))).toBeGreaterThan(0.004);
    expect(dailyVol(syntheticBars(EUR, '1d', range))).toBeLessThan(0.0065);
    expect(dailyVol(syntheticBars(AAPL, '1d', range))).toBeGreaterThan(0.012);
    expect(dailyVol(syntheticBars(AAPL, '1d', range))).toBeLessThan(0.024);
  });
});

describe('synthetic stablecoins', () => {
  it('stay within 0.5 % of the peg in quiet times', () => {
    const bars = syntheticBars(USDC, '1h', { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 3, 1) });
    for (const bar of bars) {
      expect(Math.abs(bar.close - 1)).toBeLessThan(0.005);
    }
  });

  it('follow the real USDC depeg of March 2023 through the real Kraken hours', () => {
    // samples/stablecoins/USDC_kraken_1h_2023-03.csv: lowest hourly close 0.901 (bar of 2023-03-11 12:00),
    // close 0.967 at the end of 2023-03-11 (the path passes through the real hours).
    const hours = syntheticBars(USDC, '1h', { from: Date.UTC(2023, 2, 10), to: Date.UTC(2023, 2, 13) });
    expect(Math.min(...hours.map((b) => b.close))).toBeCloseTo(0.901, 10);
    const daily = syntheticBars(USDC, '1d', { from: Date.UTC(2023, 2, 11), to: Date.UTC(2023, 2, 12) });
    expect(daily[0]?.close).toBeCloseTo(0.967, 10);
    expect(daily[0]?.low).toBeLessThan(0.91);
  });

  it('produce nothing for economic series', () => {
    expect(syntheticBars(make('GDP', 'economic'), '1d', { from: 0, to: DAY * 20_000 })).toEqual([]);
  });
});
