import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedBarTimes } from '../../src/core/calendar.ts';
import type { StoredBar } from '../../src/core/types.ts';
import { saveValidationReport, validateStore } from '../../src/quality/validate.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { upsertPrices } from '../../src/store/repos/prices.ts';
import { BACKENDS } from '../store/backends.ts';

const HOUR = 3_600_000;
const NOW = Date.parse('2024-04-03T22:00:00Z');

describe.each(BACKENDS)('validateStore and the quality views on $name', (backend) => {
  let db: Db;
  let teardown: () => Promise<void>;
  beforeAll(async () => {
    ({ db, teardown } = await backend.open());
    await migrate(db);
    await upsertInstruments(db, [
      { symbol: 'AAPL', assetClass: 'equity', name: 'Apple', currency: 'USD', timezone: 'America/New_York' },
      {
        symbol: 'USDC',
        assetClass: 'stablecoin',
        name: 'USD Coin',
        currency: 'USD',
        timezone: 'UTC',
        pegTarget: 1,
      },
      { symbol: 'BTC', assetClass: 'crypto', name: 'Bitcoin', currency: 'USD', timezone: 'UTC' },
    ]);
    // AAPL: trading days of Q1 2024 up to 2024-04-03, with 2024-02-14 and 2024-02-15 missing.
    const days = expectedBarTimes('equity', '1d', { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 3, 4) });
    const aapl: StoredBar[] = days
      .filter((d) => d !== Date.UTC(2024, 1, 14) && d !== Date.UTC(2024, 1, 15))
      .map((ts, i) => {
        const c = 180 + Math.sin(i / 5) * 5;
        return {
          symbol: 'AAPL',
          interval: '1d',
          ts,
          open: c,
          high: c + 1,
          low: c - 1,
          close: c,
          volume: 1e6,
          source: 't',
        };
      });
    await upsertBars(db, aapl);
    // USDC hourly: fine, then one 1.55 print (out of bounds), and one reverting spike (1.30) stored unflagged.
    const usdc: StoredBar[] = Array.from({ length: 200 }, (_, i) => {
      const c = i === 50 ? 1.55 : i === 120 ? 1.3 : 1 + 0.0001 * Math.sin(i);
      return {
        symbol: 'USDC',
        interval: '1h',
        ts: NOW - (200 - i) * HOUR,
        open: c,
        high: c,
        low: c,
        close: c,
        volume: 5,
        source: 't',
      };
    });
    await upsertBars(db, usdc);
    await upsertPrices(db, [{ symbol: 'BTC', ts: NOW - 40 * HOUR, price: 65000, source: 't' }]);
  });
  afterAll(async () => {
    await teardown();
  });

  it("reports in the seed's shape with the failures, gaps and outliers found", async () => {
    const report = await validateStore(db, { now: NOW, chunkSize: 64 });
    expect(report.overall_valid).toBe(false);
    expect(report.passed + report.failed).toBe(report.total_checks);
    expect(report.errors).toEqual([
      {
        check_name: 'freshness[BTC point]',
        error_message: expect.stringMatching(/^BTC: latest point 2024-04-02T06:00:00.000Z is 40.0 h old/),
      },
      {
        check_name: 'price_bounds[USDC 1h]',
        error_message: expect.stringMatching(
          /^1 row\(s\) outside stablecoin bounds \[0.50, 1.50\], first: Price 1.55 at/,
        ),
      },
    ]);
    const aapl = report.instruments.find((i) => i.symbol === 'AAPL');
    expect(aapl?.gaps).toEqual({
      missing: 2,
      span_count: 1,
      spans: [{ from: '2024-02-14T00:00:00.000Z', to: '2024-02-15T00:00:00.000Z', count: 2 }],
    });
    const usdc = report.instruments.find((i) => i.symbol === 'USDC');
    // Both the 1.55 and the 1.30 prints revert; chunking (64 rows) must not lose or double-count them.
    expect(usdc?.outliers).toBe(2);
    expect(report.rows_checked).toBe(aapl ? aapl.rows + 201 : -1);
  });

  it('filters by symbol, reports unknown symbols, and stores the report', async () => {
    const report = await validateStore(db, { now: NOW, symbols: ['AAPL', 'NOPE'] });
    expect(report.instruments.map((i) => i.symbol)).toEqual(['AAPL']);
    expect(report.errors).toEqual([
      { check_name: 'instrument[NOPE]', error_message: 'Unknown instrument NOPE' },
    ]);
    const id = await saveValidationReport(db, report);
    const row = await db.query<{ failed: number; report: { errors: unknown[] } }>(
      'SELECT failed, report FROM ops.validation_reports WHERE id = $1',
      [id],
    );
    expect(row.rows[0]?.failed).toBe(1);
  });

  it('checks derived results: a 2400 s depeg event fails, valid correlations and seed scenarios pass', async () => {
    await db.query(
      `INSERT INTO derived.depeg_events (asset, start_time, end_time, min_price, min_price_at, duration_seconds,
         recovery_time_seconds, severity_score, peg, threshold, source)
       VALUES ('USDC', '2024-03-01T00:00:00Z', '2024-03-01T00:40:00Z', 0.97, '2024-03-01T00:20:00Z', 2400, 3000, 0.1, 1, 0.99, 'prices')`,
    );
    await db.query(
      `INSERT INTO derived.asset_correlations (asset_1, asset_2, window_days, correlation, data_points, as_of)
       VALUES ('AAPL', 'BTC', 30, 0.42, 30, now()), ('AAPL', 'USDC', 30, -0.1, 30, now()), ('BTC', 'USDC', 30, 0.05, 30, now())`,
    );
    const report = await validateStore(db, { now: NOW });
    const byName = (name: string) => report.errors.find((e) => e.check_name === name);
    // Seed example: "Duration 2400 seconds < 1 hour minimum".
    expect(byName('depeg_event[USDC]')?.error_message).toBe(
      '1 problem(s): 2024-03-01T00:00:00.000Z: Duration 2400 seconds < 1 hour minimum',
    );
    expect(byName('correlation_matrix[30d]')).toBeUndefined();
    expect(byName('scenario_probabilities[risk.stress_scenarios]')).toBeUndefined();
    expect(report.total_checks).toBeGreaterThan(report.instruments.reduce((a, d) => a + d.checks, 0) + 2);
    await db.query('DELETE FROM derived.depeg_events');
  });

  it('serves the monitoring views: anomalies, refreshed daily stats, data gaps', async () => {
    await db.query(
      "UPDATE market_data.bars SET is_outlier = true, quality_score = 0.2 WHERE close = 1.3 AND interval = '1h'",
    );
    await db.query('SELECT ops.refresh_daily_price_stats()');
    const stats = await db.query<{ points: number; outliers: number }>(
      "SELECT points, outliers FROM ops.daily_price_stats WHERE symbol = 'AAPL' AND day = '2024-04-01'",
    );
    expect(stats.rows).toEqual([{ points: 1, outliers: 0 }]);
    const gaps = await db.query<{ symbol: string }>('SELECT symbol FROM ops.data_gaps ORDER BY symbol');
    // Relative to the real clock every fixture series is older than 2 hours.
    expect(gaps.rows.map((r) => r.symbol)).toEqual(['AAPL', 'BTC', 'USDC']);
    const anomalies = await db.query('SELECT * FROM ops.recent_price_anomalies');
    expect(anomalies.rowCount).toBe(0); // the flagged bar is from 2024, outside the 7-day window
  });
});
