/**
 * Backtests on split/dividend-adjusted prices (`adjust`), on every store backend: a buy-and-hold of SPLT
 * (fixtures.ts: 4-for-1 split ex 2024-03-07, 1.03 dividend ex 2024-03-08) bought at the 2024-03-05 open
 * (fill `next_open` after the first bar), 100 000 cash, no costs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADJUST_MODES } from '../../src/analytics/adjust.ts';
import { readAdjustedBars } from '../../src/analytics/adjusted-bars-reader.ts';
import { computeIndicators } from '../../src/analytics/service.ts';
import { getBacktest, runBacktest } from '../../src/backtest/service.ts';
import type { Db } from '../../src/store/db.ts';
import { listRuns } from '../../src/store/repos/strategies.ts';
import { testBackends } from '../store/backends.ts';
import { loadSplitMarket } from './fixtures.ts';

const CASH = 100_000;

for (const backend of await testBackends('backtest-adjust')) {
  describe(`backtest --adjust on ${backend.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await backend.open();
      await loadSplitMarket(db);
    }, 60_000);
    afterAll(async () => {
      if (db) await backend.dispose(db);
    });

    const hold = (symbol: string, adjust?: (typeof ADJUST_MODES)[number], to?: string) =>
      runBacktest(db, { strategy: 'buy-and-hold', symbols: [symbol], adjust, to, store: false });

    it('raw shows the split as a crash', async () => {
      const out = await hold('SPLT', 'raw');
      expect(out.adjust).toBe('raw');
      // 100 000 / 400 = 250 shares; 250 × 105 = 26 250, a fake −73.75 %
      expect(out.final_equity).toBeCloseTo(26_250, 6);
      // peak 250 × 408 = 102 000 on 2024-03-06, then 250 × 103 = 25 750: drawdown 1 − 103/408
      expect(out.metrics.max_drawdown).toBeCloseTo(1 - 103 / 408, 9);
    });

    it('split is the default: no mode asked, no crash', async () => {
      const out = await hold('SPLT');
      expect(out.adjust).toBe('split');
      // entry 400 / 4 = 100 → 1 000 shares; exit 105 → 105 000 (as the split test below)
      expect(out.final_equity).toBeCloseTo(105_000, 6);
    });

    it('split gives a continuous curve: final equity is the split-adjusted price ratio', async () => {
      const out = await runBacktest(db, { strategy: 'buy-and-hold', symbols: ['SPLT'], adjust: 'split' });
      expect(out.adjust).toBe('split');
      // entry 400 × 1/4 = 100 → 1 000 shares; exit close 105: 100 000 × 105 / 100 = 105 000
      expect(out.final_equity).toBeCloseTo(105_000, 6);
      expect(out.metrics.max_drawdown).toBe(0);
      expect(out.metrics.total_return).toBeCloseTo(0.05, 12);
      // the run is stored with its mode, and its curve is 1 000 × (closes 101, 102, 103, 105)
      const stored = await getBacktest(db, out.id ?? 0);
      expect(stored.adjust).toBe('split');
      expect(stored.config.adjust).toBe('split');
      expect(stored.signals?.[0]?.price).toBeCloseTo(100, 9);
      expect(stored.equity?.equity).toEqual(
        [CASH, 101_000, 102_000, 103_000, 105_000].map((x) => expect.closeTo(x, 6)),
      );
      const listed = (await listRuns(db)).find((r) => r.id === out.id);
      expect(listed?.config.adjust).toBe('split');
    });

    it('adjusted and total-return add the dividend reinvested', async () => {
      // entry 400 × 1/4 × (1 − 1.03/103) = 99; exit 105: 100 000 × 105 / 99 = 106 060.61 (1/0.99 above split)
      const adjusted = await hold('SPLT', 'adjusted');
      expect(adjusted.adjust).toBe('adjusted');
      expect(adjusted.final_equity).toBeCloseTo((CASH * 105) / 99, 6);
      // total-return divides every factor by the first (0.2475): entry 400, exit 105 / 0.2475 — same ratio
      const total = await hold('SPLT', 'total-return');
      expect(total.final_equity).toBeCloseTo((CASH * 105) / 99, 6);
      expect(total.metrics.max_drawdown).toBe(0);
    });

    it('fills at the prices the asset API shows in each mode, also when the actions follow the range', async () => {
      // to 2024-03-06: split and dividend both lie after the range. `adjusted` still scales by
      // 1 − 1.03/103 = 0.99, 103 being the 2024-03-07 close (the close before the ex-date, after the range).
      const range = { from: 0, to: Date.UTC(2024, 2, 7) };
      const expected = { raw: 400, split: 100, adjusted: 99, 'total-return': 400 };
      for (const mode of ADJUST_MODES) {
        const out = await runBacktest(db, {
          strategy: 'buy-and-hold',
          symbols: ['SPLT'],
          adjust: mode,
          to: '2024-03-06',
        });
        const fill = (await getBacktest(db, out.id ?? 0)).signals?.[0]?.price;
        const bars = await readAdjustedBars(db, 'SPLT', '1d', range, mode);
        expect(bars).toHaveLength(3);
        expect(fill, mode).toBeCloseTo(bars[1]?.open ?? Number.NaN, 9);
        expect(fill, mode).toBeCloseTo(expected[mode], 9);
        // no action inside the range: every mode earns the raw 408 / 400
        expect(out.final_equity, mode).toBeCloseTo((CASH * 408) / 400, 6);
      }
    });

    it('the indicators read the same adjusted closes, also when the dividend follows the range', async () => {
      // to 2024-03-07 00:00: the 03-08 dividend's factor needs the 03-07 close (103), outside the range:
      // 1 − 1.03/103 = 0.99, so 400, 404, 408 → ÷4 (split) × 0.99 = 99, 99.99, 100.98
      const to = Date.UTC(2024, 2, 7);
      const ind = await computeIndicators(db, 'SPLT', { adjust: 'adjusted', to, dryRun: true });
      expect(ind.rows.map((r) => r.close)).toEqual([99, 99.99, 100.98].map((x) => expect.closeTo(x, 9)));
      const api = await readAdjustedBars(db, 'SPLT', '1d', { from: 0, to }, 'adjusted');
      expect(ind.rows.map((r) => r.close)).toEqual(api.map((b) => b.close));
    });

    it('a crypto coin without corporate actions reads the same in every mode', async () => {
      const raw = await hold('XBT', 'raw');
      expect(raw.final_equity).toBeCloseTo(26_250, 6);
      for (const mode of ADJUST_MODES) {
        const out = await hold('XBT', mode);
        expect(out.adjust).toBe(mode);
        expect(out.final_equity, mode).toBe(raw.final_equity);
        expect(out.metrics, mode).toEqual(raw.metrics);
      }
    });

    it('refuses an unknown mode, naming it', async () => {
      await expect(
        runBacktest(db, {
          strategy: 'buy-and-hold',
          symbols: ['SPLT'],
          adjust: 'splits' as (typeof ADJUST_MODES)[number],
        }),
      ).rejects.toThrow('adjust must be one of raw, split, adjusted, total-return, got "splits"');
    });
  });
}
