/**
 * Analytics service end to end on every store backend (PGlite, and PostgreSQL when reachable): real SPY
 * daily bars (pandas-ta, MIT), a second asset derived from them, and the real USDC March-2023 prices
 * (juunnq/usdc-depeg-artifact-fc27) — see test/fixtures/analytics/PROVENANCE.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  computeBestPairs,
  computeCorrelations,
  computeIndicators,
  computeVolatility,
  detectDepegEvents,
  runAllAnalytics,
  VOLATILITY_ROWS_DAYS,
} from '../src/analytics/service.ts';
import { loadSpyDaily, loadUsdcHourly } from '../src/analytics/testing/fixtures.ts';
import { DAY_MS } from '../src/core/time.ts';
import type { Db } from '../src/store/db.ts';
import { upsertBars } from '../src/store/repos/bars.ts';
import { readDepegStatistics } from '../src/store/repos/derived.ts';
import { upsertInstruments } from '../src/store/repos/instruments.ts';
import { upsertPrices } from '../src/store/repos/prices.ts';
import { type TestBackend, testBackends } from './store/backends.ts';

const spy = loadSpyDaily();
const usdc = loadUsdcHourly();
const N = 600; // the last 600 SPY bars (2018-04 → 2020-08) keep the test quick
const from = spy.ts.length - N;
const asOf = spy.ts[spy.ts.length - 1] as number;

async function seed(db: Db): Promise<void> {
  await upsertInstruments(db, [
    { symbol: 'SPY', assetClass: 'etf', name: 'SPDR S&P 500', currency: 'USD', timezone: 'America/New_York' },
    {
      symbol: 'INV',
      assetClass: 'etf',
      name: 'Inverse SPY (test)',
      currency: 'USD',
      timezone: 'America/New_York',
    },
    {
      symbol: 'USDC',
      assetClass: 'stablecoin',
      name: 'USD Coin',
      currency: 'USD',
      timezone: 'UTC',
      pegTarget: 1,
    },
  ]);
  const bars = [];
  for (let i = from; i < spy.ts.length; i++) {
    const base = { interval: '1d' as const, ts: spy.ts[i] as number, source: 'test', volume: 0 };
    bars.push({
      ...base,
      symbol: 'SPY',
      open: spy.open[i] as number,
      high: spy.high[i] as number,
      low: spy.low[i] as number,
      close: spy.close[i] as number,
    });
    // INV: 10000 / SPY, so its log returns are exactly minus SPY's (ρ = −1).
    const c = 10000 / (spy.close[i] as number);
    bars.push({ ...base, symbol: 'INV', open: c, high: c, low: c, close: c });
  }
  await upsertBars(db, bars);
  await upsertPrices(
    db,
    Array.from(usdc.ts, (ts, i) => ({
      symbol: 'USDC',
      ts,
      price: usdc.price[i] as number,
      source: 'defillama',
    })),
  );
}

const backends = await testBackends('analytics');

describe.each(backends.map((b) => [b.name, b] as const))(
  'analytics service on %s',
  (_name, backend: TestBackend) => {
    let db: Db;
    beforeAll(async () => {
      db = await backend.open();
      await seed(db);
    });
    afterAll(async () => {
      await backend.dispose(db);
    });

    it('dry run computes without writing', async () => {
      const vol = await computeVolatility(db, { dryRun: true });
      expect(vol.instruments.map((i) => i.symbol)).toEqual(['INV', 'SPY']);
      const depegs = await detectDepegEvents(db, { dryRun: true });
      expect(depegs.events).toHaveLength(1);
      const counts = await db.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM derived.volatility_metrics) + (SELECT count(*) FROM derived.depeg_events)
            + (SELECT count(*) FROM derived.asset_correlations) AS n`,
      );
      expect(Number(counts.rows[0]?.n)).toBe(0);
    });

    it('runAllAnalytics writes every table and finds the USDC depeg at 0.8767 on 2023-03-11', async () => {
      const summary = await runAllAnalytics(db, { asOf });
      expect(summary.errors).toEqual([]);
      expect(summary.volatility).toEqual({ instruments: 2, rows: 2 * N });
      expect(summary.depegs.events).toHaveLength(1);
      const e = summary.depegs.events[0];
      expect(e?.asset).toBe('USDC');
      expect(e?.min_price).toBeCloseTo(0.876675, 9);
      expect(e?.min_price_at.slice(0, 10)).toBe('2023-03-11');
      expect(e?.source).toBe('prices');
      const stats = await readDepegStatistics(db);
      expect(stats).toMatchObject([{ asset: 'USDC', event_count: 1, worst_price: 0.876675 }]);
    });

    it('stores correlations once per pair and window, readable in either order', async () => {
      const r = await db.query<{ a: number; b: number; n: number }>(
        `SELECT derived.get_correlation('SPY', 'INV', 90) AS a, derived.get_correlation('INV', 'SPY', 90) AS b,
              (SELECT count(*) FROM derived.asset_correlations) AS n`,
      );
      expect(r.rows[0]?.a).toBeCloseTo(-1, 9);
      expect(r.rows[0]?.b).toBe(r.rows[0]?.a);
      // INV/SPY × 3 windows; USDC's prices (2023) lie outside every window ending 2020-08-28.
      expect(Number(r.rows[0]?.n)).toBe(3);
      const contagion = await db.query<{ window_days: number; overall_level: string }>(
        'SELECT window_days, overall_level FROM derived.contagion_risk ORDER BY window_days',
      );
      expect(contagion.rows.map((x) => x.window_days)).toEqual([30, 90, 365]);
    });

    it('is idempotent: a second run changes no row counts', async () => {
      const count = async () =>
        (
          await db.query<{ v: number; c: number; d: number; p: number }>(
            `SELECT (SELECT count(*) FROM derived.volatility_metrics) AS v, (SELECT count(*) FROM derived.asset_correlations) AS c,
                  (SELECT count(*) FROM derived.depeg_events) AS d, (SELECT count(*) FROM derived.best_pairs) AS p`,
          )
        ).rows[0];
      const before = await count();
      await runAllAnalytics(db, { asOf });
      expect(await count()).toEqual(before);
      // runAllAnalytics keeps the rows of the last VOLATILITY_ROWS_DAYS days: SPY's bars in that span, twice (INV)
      const since = asOf - VOLATILITY_ROWS_DAYS * DAY_MS;
      const recent = Array.from(spy.ts.subarray(from)).filter((t) => t >= since).length;
      expect(recent).toBeGreaterThan(50);
      expect(Number(before?.v)).toBe(2 * recent);
    });

    it('best pairs rank the inverse pair as the strongest hedge', async () => {
      const best = await computeBestPairs(db, { windowDays: 90 });
      expect(best.pairs[0]).toMatchObject({ category: 'negative', rank: 1, asset_1: 'INV', asset_2: 'SPY' });
      expect(best.pairs[0]?.reason).toMatch(/^INV and SPY move in opposite directions/);
    });

    it('correlations for chosen assets and window as of a date', async () => {
      const r = await computeCorrelations(db, { windows: [30], asOf, assets: ['SPY', 'INV'], dryRun: true });
      expect(r.windows[0]?.pairs).toHaveLength(1);
      expect(r.windows[0]?.pairs[0]?.risk_level).toBe('NORMAL');
      expect(r.windows[0]?.validation_errors).toEqual([]);
    });

    it('indicators per bar with null warm-up and extra columns', async () => {
      const out = await computeIndicators(db, 'SPY', { extra: 'sma:50,ema:12', dryRun: true });
      expect(out.rows).toHaveLength(N);
      expect(out.rows[0]).toMatchObject({
        sma_20: null,
        rsi_14: null,
        macd: null,
        sma_50: null,
        ema_12: null,
      });
      const last = out.rows[N - 1];
      expect(typeof last?.sma_50).toBe('number');
      expect(Object.keys(last ?? {})).toEqual([
        'ts',
        'close',
        'sma_20',
        'ema_20',
        'rsi_14',
        'macd',
        'macd_signal',
        'macd_hist',
        'bb_upper',
        'bb_middle',
        'bb_lower',
        'atr_14',
        'hv_20',
        'sma_50',
        'ema_12',
      ]);
      const ranged = await computeIndicators(db, 'SPY', { from: Date.UTC(2020, 7, 1), dryRun: true });
      // Warm-up comes from bars before `from`: the same values as over the whole history.
      const base = Object.fromEntries(
        Object.entries(last ?? {}).filter(([k]) => k !== 'sma_50' && k !== 'ema_12'),
      );
      expect(ranged.rows.at(-1)).toEqual(base);
      expect(ranged.rows[0]?.sma_20).not.toBeNull();
      await expect(computeIndicators(db, 'SPY', { extra: 'wma:5' })).rejects.toThrow(
        /unknown indicator "wma:5"/,
      );
    });

    it('rewrites volatility rows from the newest stored one on, or all of them when an older bar changed', async () => {
      const next = (spy.ts[spy.ts.length - 1] as number) + 3 * 86_400_000;
      const bar = {
        symbol: 'SPY',
        interval: '1d' as const,
        ts: next,
        open: 350,
        high: 352,
        low: 349,
        close: 351,
        volume: 0,
        source: 'test',
      };
      await upsertBars(db, [bar]);
      const inc = await computeVolatility(db, { symbols: ['SPY'] });
      expect(inc.instruments[0]?.written).toBe(2); // the previous newest row and the new one
      await upsertBars(db, [
        { ...bar, ts: spy.ts[from + 10] as number, close: 1 + (spy.close[from + 10] as number) },
      ]);
      const full = await computeVolatility(db, { symbols: ['SPY'] });
      expect(full.instruments[0]?.written).toBe(N + 1);
    });
  },
);
