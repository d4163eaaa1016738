import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PricePoint, StoredBar } from '../core/types.ts';
import { checkBars, checkPrices, countByRule } from './gate.ts';

const NOW = Date.parse('2024-06-01T00:00:00Z');
const HOUR = 3_600_000;
const usdc = { symbol: 'USDC', assetClass: 'stablecoin' as const, pegTarget: 1 };
const btc = { symbol: 'BTC', assetClass: 'crypto' as const };

const point = (i: number, price: number, extra: Partial<PricePoint> = {}): PricePoint => ({
  symbol: 'BTC',
  ts: NOW - (100 - i) * HOUR,
  price,
  source: 'test',
  ...extra,
});
const bar = (i: number, close: number, extra: Partial<StoredBar> = {}): StoredBar => ({
  symbol: 'BTC',
  interval: '1h',
  ts: NOW - (100 - i) * HOUR,
  open: close,
  high: close,
  low: close,
  close,
  volume: 10,
  source: 'test',
  ...extra,
});

describe("the seed's examples", () => {
  it('quarantines the lone 5.00 of prices [1.00, 5.00, 1.00] at hourly spacing and keeps the 1.00s', () => {
    const res = checkPrices([point(0, 1), point(1, 5), point(2, 1)], {
      instrument: btc,
      mode: 'backfill',
      now: NOW,
    });
    expect(res.accepted.map((r) => r.price)).toEqual([1, 1]);
    expect(res.rejected).toHaveLength(1);
    expect(res.rejected[0]).toMatchObject({ rule: 'outlier', row: { price: 5 } });
    expect(res.rejected[0]?.reason).toMatch(/^price 5 is a lone print that reverts at once/);
  });

  it('still rejects a batch of 20+ rows where more than 10 % are lone reverting prints', () => {
    const rows = Array.from({ length: 30 }, (_, i) => point(i, i % 6 === 3 ? 5 : 1));
    const res = checkPrices(rows, { instrument: btc, mode: 'backfill', now: NOW });
    expect(res.accepted).toEqual([]);
    expect(res.rejected.every((r) => r.rule === 'outlier_batch')).toBe(true);
    expect(res.rejected).toHaveLength(30);
  });

  it('rejects a 1.55 stablecoin price with the seed message', () => {
    const res = checkPrices([point(0, 1.55, { symbol: 'USDC' })], {
      instrument: usdc,
      mode: 'backfill',
      now: NOW,
    });
    expect(res.rejected[0]).toMatchObject({
      rule: 'price_bounds',
      reason: 'Price 1.55 outside stablecoin bounds [0.50, 1.50]',
    });
  });
});

describe('row rules', () => {
  it('refuses non-positive, non-finite, inconsistent OHLC, negative volume, future and foreign rows', () => {
    const rows = [
      bar(0, 100),
      bar(1, -1),
      bar(2, Number.NaN),
      bar(3, 100, { high: 99 }),
      bar(4, 100, { volume: -5 }),
      bar(5, 100, { ts: NOW + 2 * HOUR }),
      bar(6, 100, { symbol: 'ETH' }),
      bar(7, 100, { low: 101, high: 102, open: 101.5 }),
    ];
    const res = checkBars(rows, { instrument: btc, mode: 'backfill', now: NOW });
    expect(res.accepted.map((r) => r.ts)).toEqual([rows[0]?.ts]);
    expect(res.rejected.map((r) => r.rule)).toEqual([
      'price_finite_positive',
      'price_finite_positive',
      'ohlc_consistency',
      'volume_non_negative',
      'timestamp_future',
      'symbol_mismatch',
      'ohlc_consistency',
    ]);
    expect(countByRule(res.rejected)).toEqual({
      price_finite_positive: 2,
      ohlc_consistency: 2,
      volume_non_negative: 1,
      timestamp_future: 1,
      symbol_mismatch: 1,
    });
    expect(res.rejected[2]?.reason).toBe('low 100 > high 99');
  });

  it('refuses rows older than a year only in incremental loads', () => {
    const old = bar(0, 100, { ts: NOW - 400 * 24 * HOUR });
    expect(checkBars([old], { instrument: btc, mode: 'backfill', now: NOW }).accepted).toHaveLength(1);
    const inc = checkBars([old], { instrument: btc, mode: 'incremental', now: NOW });
    expect(inc.rejected[0]?.rule).toBe('timestamp_too_old');
  });
});

describe('duplicates', () => {
  it('within a batch: an equal row is unchanged, a different one is superseded by the later row', () => {
    const res = checkBars([bar(0, 100), bar(0, 100), bar(1, 101), bar(1, 102)], {
      instrument: btc,
      mode: 'backfill',
      now: NOW,
    });
    expect(res.accepted.map((r) => r.close)).toEqual([100, 102]);
    expect(res.unchanged).toHaveLength(1);
    expect(res.rejected).toMatchObject([{ rule: 'duplicate_superseded', row: { close: 101 } }]);
    expect(res.accepted.length + res.unchanged.length + res.rejected.length).toBe(4);
  });

  it('against the store: equal → unchanged, different → newer wins and the stored value is replaced', () => {
    const stored = [bar(0, 100, { source: 'old' }), bar(1, 101, { source: 'old' })];
    const res = checkBars([bar(0, 100), bar(1, 105)], {
      instrument: btc,
      mode: 'backfill',
      now: NOW,
      stored,
    });
    expect(res.unchanged.map((r) => r.close)).toEqual([100]);
    expect(res.accepted.map((r) => r.close)).toEqual([105]);
    expect(res.replaced).toEqual([{ previous: stored[1], by: expect.objectContaining({ close: 105 }) }]);
  });
});

describe('outliers in a long series', () => {
  it('quarantines a single reverting spike and keeps the rest of the batch', () => {
    // Deterministic gentle walk (no randomness needed): 100 · (1 + 0.001·sin(i)).
    const rows = Array.from({ length: 50 }, (_, i) => bar(i, 100 * (1 + 0.001 * Math.sin(i))));
    rows[25] = bar(25, 130);
    const res = checkBars(rows, { instrument: btc, mode: 'backfill', now: NOW });
    expect(res.rejected.map((r) => [r.rule, r.row.close])).toEqual([['outlier', 130]]);
    expect(res.accepted).toHaveLength(49);
    expect(res.accepted.every((r) => !r.isOutlier && r.qualityScore === 1)).toBe(true);
  });

  it('keeps a spike that a second source saw too, flagged with a low score', () => {
    const rows = Array.from({ length: 50 }, (_, i) => bar(i, 100 * (1 + 0.001 * Math.sin(i))));
    rows[25] = bar(25, 130);
    const reference = [{ ts: rows[25]?.ts ?? 0, price: 129.5 }];
    const res = checkBars(rows, { instrument: btc, mode: 'backfill', now: NOW, reference });
    expect(res.rejected).toEqual([]);
    const flagged = res.accepted.filter((r) => r.isOutlier);
    expect(flagged.map((r) => r.close)).toEqual([130]);
    expect(flagged[0]?.qualityScore).toBeLessThan(0.5);
  });

  it('uses stored context: a spike in the first row of a batch is judged against stored bars', () => {
    const stored = Array.from({ length: 30 }, (_, i) => bar(i, 100));
    const batch = [bar(30, 100), bar(31, 60), ...Array.from({ length: 18 }, (_, i) => bar(32 + i, 100))];
    const res = checkBars(batch, { instrument: btc, mode: 'incremental', now: NOW, stored });
    expect(res.rejected.map((r) => [r.rule, r.row.close])).toEqual([['outlier', 60]]);
  });
});

// Real data: fixtures copied from juunnq/usdc-depeg-artifact-fc27 (see the provenance line of each file).
function readFixture(name: string): string[][] {
  const text = readFileSync(new URL(`../../test/fixtures/quality/${name}`, import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .slice(1)
    .map((l) => l.split(','));
}

describe('the real USDC March-2023 depeg is not an outlier', () => {
  const now = Date.parse('2023-03-18T00:00:00Z');
  const llama: PricePoint[] = readFixture('usdc_price_hourly_2023-03.csv').map(([symbol, ts, price]) => ({
    symbol: symbol ?? 'USDC',
    ts: Number(ts) * 1000,
    price: Number(price),
    source: 'defillama',
  }));
  const kraken: StoredBar[] = readFixture('kraken_usdcusd_hourly_2023-03.csv').map(
    ([t, o, h, l, c, , v]) => ({
      symbol: 'USDC',
      interval: '1h',
      ts: Date.parse(t ?? ''),
      open: Number(o),
      high: Number(h),
      low: Number(l),
      close: Number(c),
      volume: Number(v),
      source: 'kraken',
    }),
  );

  it('DeFiLlama hourly USDC (min 0.8767, 212 points) passes whole and unflagged', () => {
    expect(Math.min(...llama.map((p) => p.price))).toBeCloseTo(0.876675, 6);
    const res = checkPrices(llama, { instrument: usdc, mode: 'backfill', now });
    expect(res.rejected).toEqual([]);
    expect(res.accepted).toHaveLength(212);
    expect(res.accepted.filter((p) => p.isOutlier)).toEqual([]);
  });

  it('Kraken USDC/USD hourly bars (240, below the peg ~2 days) pass whole and unflagged', () => {
    const below = kraken.filter((b) => b.close < 0.99).length;
    expect(below).toBeGreaterThan(40);
    const res = checkBars(kraken, { instrument: usdc, mode: 'backfill', now });
    expect(res.rejected).toEqual([]);
    expect(res.accepted.filter((p) => p.isOutlier)).toEqual([]);
  });

  it('single-bar spikes injected into the same series are quarantined, before, during and after the depeg', () => {
    for (const [series, spikes] of [
      [llama.map((p) => p.price), [20, 100, 180]],
      [kraken.map((b) => b.close), [20, 100, 200]],
    ] as const) {
      const rows = series.map((price, i) =>
        point(i, price, { symbol: 'USDC', ts: Date.UTC(2023, 2, 8) + i * HOUR }),
      );
      for (const i of spikes) {
        const r = rows[i];
        if (r) rows[i] = { ...r, price: r.price * 1.08 };
      }
      const res = checkPrices(rows, { instrument: usdc, mode: 'backfill', now });
      expect(res.rejected.map((r) => rows.indexOf(r.row))).toEqual([...spikes]);
      expect(res.rejected.every((r) => r.rule === 'outlier')).toBe(true);
    }
  });
});

describe('bar alignment with the stored series', () => {
  const MIN = 60_000;
  // hourly bars on the hour (Polygon's boundaries), the stored context of an incremental load
  const stored = Array.from({ length: 10 }, (_, i) => bar(i, 100 + i, { source: 'store' }));
  const ctx = { instrument: btc, mode: 'backfill' as const, now: NOW, stored };

  it('refuses bars that start at another minute of the hour than the stored ones (Yahoo :30 after Polygon :00)', () => {
    const shifted = [
      bar(10, 110, { ts: bar(10, 0).ts + 30 * MIN }),
      bar(11, 111, { ts: bar(11, 0).ts + 30 * MIN }),
    ];
    const res = checkBars(shifted, ctx);
    expect(res.accepted).toEqual([]);
    expect(res.rejected.map((r) => r.rule)).toEqual(['bar_alignment', 'bar_alignment']);
    expect(res.rejected[0]?.reason).toContain(
      'starts at :30 but the stored 1h bars of BTC around it start at :00',
    );
    expect(res.rejected[0]?.reason).toContain('--force');
  });

  it('accepts bars on the stored boundaries, and any boundary on a first load', () => {
    expect(checkBars([bar(10, 110), bar(11, 111)], ctx).accepted).toHaveLength(2);
    const first = checkBars([bar(10, 110, { ts: bar(10, 0).ts + 30 * MIN })], { ...ctx, stored: [] });
    expect(first.accepted).toHaveLength(1);
  });

  it('holds nothing against a stored series that already mixes boundaries', () => {
    const mixed = [...stored, bar(10, 110, { ts: bar(10, 0).ts + 30 * MIN, source: 'store' })];
    const res = checkBars([bar(11, 111, { ts: bar(11, 0).ts + 30 * MIN })], { ...ctx, stored: mixed });
    expect(res.accepted).toHaveLength(1);
  });

  it('lets session bars move by a whole hour (daylight saving) and judges 1-minute bars by the minute', () => {
    const h4 = (i: number, shiftH = 0) =>
      bar(i, 100, { interval: '4h', ts: Date.parse('2024-03-01T01:00:00Z') + i * 4 * HOUR + shiftH * HOUR });
    const dst = checkBars([h4(10, -1)], { ...ctx, stored: [h4(0), h4(1), h4(2)] });
    expect(dst.accepted).toHaveLength(1);
    const m1 = (i: number, secs = 0) =>
      bar(i, 100, { interval: '1m', ts: Date.parse('2024-03-01T00:00:00Z') + i * MIN + secs * 1000 });
    const off = checkBars([m1(5, 30)], { ...ctx, stored: [m1(0), m1(1), m1(2)] });
    expect(off.rejected.map((r) => r.rule)).toEqual(['bar_alignment']);
    expect(off.rejected[0]?.reason).toContain('starts at :00:30');
  });
});

describe('wicks, corroboration and plausible dates', () => {
  const calm = (n: number) => Array.from({ length: n }, (_, i) => bar(i, 100 * (1 + 0.001 * Math.sin(i))));

  it('quarantines a lone bad wick (high 10× while open, close and neighbours are normal)', () => {
    const rows = calm(30);
    const r = rows[15];
    if (r) rows[15] = { ...r, high: r.close * 10 };
    const res = checkBars(rows, { instrument: btc, mode: 'backfill', now: NOW });
    expect(res.rejected.map((x) => [x.rule, x.row.ts])).toEqual([['wick_outlier', rows[15]?.ts]]);
    expect(res.rejected[0]?.reason).toMatch(/^high 1000\.\d+ is a lone bad wick/);
    expect(res.accepted).toHaveLength(29);
  });

  it('keeps a deep wick that the adjacent bars reach toward (a real crash bar)', () => {
    // UST 2022-05-10..12 from samples/UST_cmc_daily_2022.csv: the 11th's low 0.2998 between lows 0.684 and 0.363.
    const days = [
      [0.9954269124, 0.999014246, 0.7933928223, 0.7933928223],
      [0.8059477735, 0.9485540572, 0.6840810918, 0.7999187904],
      [0.7993720717, 0.8474204694, 0.2998376946, 0.8011371728],
      [0.8010580677, 0.8294027793, 0.3625992737, 0.4085840617],
      [0.4055388492, 0.4069172561, 0.1331373446, 0.1540016054],
    ];
    const rows = days.map(([open = 0, high = 0, low = 0, close = 0], i) => ({
      ...bar(i, close),
      symbol: 'UST',
      interval: '1d' as const,
      ts: Date.UTC(2022, 4, 9 + i),
      open,
      high,
      low,
    }));
    const res = checkBars(rows, {
      instrument: { symbol: 'UST', assetClass: 'stablecoin', pegTarget: 1 },
      mode: 'backfill',
      now: NOW,
    });
    expect(res.rejected).toEqual([]);
    // closes below the 0.50 alert line, corroborated by each other: kept and flagged
    expect(res.accepted.filter((r) => r.isOutlier).map((r) => r.close)).toEqual([0.4085840617, 0.1540016054]);
  });

  it('keeps an out-of-bounds price that a second source saw too', () => {
    const rows = [
      point(0, 1, { symbol: 'USDC' }),
      point(1, 0.45, { symbol: 'USDC' }),
      point(2, 1, { symbol: 'USDC' }),
    ];
    const lone = checkPrices(rows, { instrument: usdc, mode: 'backfill', now: NOW });
    expect(lone.rejected.map((r) => r.rule)).toEqual(['price_bounds']);
    const seen = checkPrices(rows, {
      instrument: usdc,
      mode: 'backfill',
      now: NOW,
      reference: [{ ts: rows[1]?.ts ?? 0, price: 0.451 }],
    });
    expect(seen.rejected).toEqual([]);
    expect(seen.accepted.filter((r) => r.isOutlier).map((r) => r.price)).toEqual([0.45]);
  });

  it('replaces a stored bar only with a value that fits its stored neighbours', () => {
    const stored = calm(30).map((b) => ({ ...b, source: 'store' }));
    const s15 = stored[15] as StoredBar;
    const bad = checkBars([{ ...s15, open: 1000, high: 1000, low: 1000, close: 1000, source: 'file' }], {
      instrument: btc,
      mode: 'backfill',
      now: NOW,
      aligned: stored,
    });
    expect(bad.rejected.map((r) => r.rule)).toEqual(['replaces_outlier']);
    expect(bad.replaced).toEqual([]);
    const fix = checkBars([{ ...s15, close: s15.close * 1.001, high: s15.close * 1.001, source: 'file' }], {
      instrument: btc,
      mode: 'backfill',
      now: NOW,
      aligned: stored,
    });
    expect(fix.accepted).toHaveLength(1);
    expect(fix.replaced.map((r) => r.previous)).toEqual([s15]);
  });

  it('refuses times before the asset class could trade', () => {
    const old = bar(0, 100, { ts: Date.UTC(2008, 11, 31) });
    expect(checkBars([old], { instrument: btc, mode: 'backfill', now: NOW }).rejected[0]?.rule).toBe(
      'timestamp_implausible',
    );
    const spy = { symbol: 'BTC', assetClass: 'etf' as const };
    expect(checkBars([old], { instrument: spy, mode: 'backfill', now: NOW }).accepted).toHaveLength(1);
  });
});
