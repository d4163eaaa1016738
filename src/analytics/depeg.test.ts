import { describe, expect, it } from 'vitest';
import { depegStatistics, detectDepegs, detectDepegsFromBars, severityScore } from './depeg.ts';
import { loadKrakenUsdcBars, loadUsdcHourly } from './testing/fixtures.ts';

const H = 3_600_000;
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

describe('USDC, March 2023 (real DeFiLlama and Kraken data, juunnq/usdc-depeg-artifact-fc27)', () => {
  it('finds one event on the irregular hourly price series with its trough of 0.8767 on 2023-03-11', () => {
    const { ts, price } = loadUsdcHourly();
    const events = detectDepegs(ts, price, { peg: 1 });
    expect(events).toHaveLength(1);
    const [e] = events;
    if (!e) throw new Error('no event');
    // Values read off fc27_usdc_price_hourly_2023-03.csv: first point below 0.99 at 1678500056 (0.98407),
    // lowest 0.876675 at 1678521473, first point back ≥ 0.99 at 1678701491 (0.990544).
    expect(iso(e.start)).toBe('2023-03-11T02:00:56.000Z');
    expect(e.minPrice).toBe(0.876675);
    expect(iso(e.minPriceAt)).toBe('2023-03-11T07:57:53.000Z');
    expect(iso(e.end)).toBe('2023-03-13T09:58:11.000Z');
    expect(e.durationSeconds).toBe(1678701491 - 1678500056);
    expect(e.recoveryTimeSeconds).toBeGreaterThan(e.durationSeconds);
    expect(e.severityScore).toBeGreaterThan(0.9);
    expect(e.severityScore).toBeLessThanOrEqual(1);
  });

  it('finds the same trough on Kraken USDC/USD hourly bars using their lows', () => {
    const events = detectDepegsFromBars(loadKrakenUsdcBars(), { peg: 1 });
    const worst = events.reduce((a, b) => (b.minPrice < a.minPrice ? b : a));
    expect(worst.minPrice).toBeGreaterThan(0.87);
    expect(worst.minPrice).toBeLessThan(0.88);
    expect(iso(worst.minPriceAt)?.slice(0, 10)).toBe('2023-03-11');
  });
});

describe('event rules (synthetic hourly points)', () => {
  const t0 = Date.UTC(2024, 0, 1);
  const series = (prices: number[], step = H) => ({
    ts: prices.map((_, i) => t0 + i * step),
    prices,
  });

  it('merges dips separated by less than the gap and drops events under an hour', () => {
    const s = series([1, 0.985, 0.98, 1, 0.97, 1, 1, 1, 1, 1, 1, 1, 1, 0.985, 1]);
    const merged = detectDepegs(s.ts, s.prices, { peg: 1, mergeGapMs: 2 * H });
    expect(merged.map((e) => [iso(e.start), iso(e.end), e.minPrice])).toEqual([
      ['2024-01-01T01:00:00.000Z', '2024-01-01T05:00:00.000Z', 0.97],
      ['2024-01-01T13:00:00.000Z', '2024-01-01T14:00:00.000Z', 0.985],
    ]);
    const apart = detectDepegs(s.ts, s.prices, { peg: 1, mergeGapMs: H });
    expect(apart).toHaveLength(3);
    // With 30-minute points a single low point lasts 30 minutes: dropped.
    const fine = series([1, 0.98, 1, 1], H / 2);
    expect(detectDepegs(fine.ts, fine.prices, { peg: 1 })).toEqual([]);
  });

  it('uses the configured threshold and peg, and reports recovery within 0.5 % of the peg', () => {
    const s = series([2, 1.97, 1.96, 1.985, 1.995, 2]);
    expect(detectDepegs(s.ts, s.prices, { peg: 2 })).toHaveLength(1);
    expect(detectDepegs(s.ts, s.prices, { peg: 2, threshold: 0.03 })).toEqual([]);
    const [e] = detectDepegs(s.ts, s.prices, { peg: 2 });
    expect(e?.durationSeconds).toBe(2 * 3600);
    expect(e?.recoveryTimeSeconds).toBe(3 * 3600);
  });

  it('keeps an event still under way at the end of the data, with no end and no recovery', () => {
    const s = series([1, 0.95, 0.9, 0.92]);
    const [e] = detectDepegs(s.ts, s.prices, { peg: 1 });
    expect(e?.end).toBeNull();
    expect(e?.durationSeconds).toBe(2 * 3600);
    expect(e?.recoveryTimeSeconds).toBeNull();
  });

  it('scores severity in [0, 1] from depth and duration as documented', () => {
    expect(severityScore(0, 0)).toBe(0);
    expect(severityScore(0.2, 1e9)).toBe(1);
    expect(severityScore(0.05, 0)).toBeCloseTo(0.35, 12);
    expect(severityScore(0, 168 * 3600)).toBeCloseTo(0.3, 12);
  });

  it('summarises events per asset', () => {
    const s = series([1, 0.98, 0.98, 1, 1, 1, 1, 1, 1, 1, 0.9, 0.9, 0.9, 0.95]);
    const stats = depegStatistics(detectDepegs(s.ts, s.prices, { peg: 1 }));
    expect(stats).toMatchObject({ count: 2, worstPrice: 0.9, avgDurationSeconds: (2 * 3600 + 3 * 3600) / 2 });
    expect(stats.avgRecoveryTimeSeconds).toBe(2 * 3600);
    expect(depegStatistics([]).count).toBe(0);
  });

  it('rejects unordered times and a bad peg', () => {
    expect(() => detectDepegs([2, 1], [1, 1], { peg: 1 })).toThrow(/times must ascend/);
    expect(() => detectDepegs([1], [1], { peg: 0 })).toThrow(/peg must be > 0/);
  });
});
