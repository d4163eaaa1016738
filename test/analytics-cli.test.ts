/**
 * `analytics …` commands in-process with --json on PGlite: the DESIGN.md shapes, --dry-run, usage errors.
 * Data: the real USDC March-2023 prices and a slice of real SPY bars (test/fixtures/analytics/PROVENANCE.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpyDaily, loadUsdcHourly } from '../src/analytics/testing/fixtures.ts';
import * as analyticsCmd from '../src/cli/commands/analytics.ts';
import { UsageError } from '../src/core/errors.ts';
import { loadSettings } from '../src/settings.ts';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';
import { upsertBars } from '../src/store/repos/bars.ts';
import { upsertInstruments } from '../src/store/repos/instruments.ts';
import { upsertPrices } from '../src/store/repos/prices.ts';
import { runCommands } from './support/cli.ts';

describe('analytics commands with --json (in-process, PGlite)', () => {
  let db: Db;
  let home: string;
  const run = async (...argv: string[]): Promise<Record<string, unknown>> => {
    const settings = loadSettings({ MARKETPIPE_HOME: home });
    const { printed } = await runCommands([analyticsCmd], { settings, db }, argv);
    expect(printed.length, `one JSON document for ${argv.join(' ')}`).toBe(1);
    return JSON.parse(JSON.stringify(printed[0])) as Record<string, unknown>;
  };
  const count = async (table: string) =>
    Number((await db.query<{ n: number }>(`SELECT count(*) AS n FROM derived.${table}`)).rows[0]?.n);

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    home = mkdtempSync(join(tmpdir(), 'mp-analytics-cli-'));
    await upsertInstruments(db, [
      {
        symbol: 'SPY',
        assetClass: 'etf',
        name: 'SPDR S&P 500',
        currency: 'USD',
        timezone: 'America/New_York',
      },
      {
        symbol: 'QQQ',
        assetClass: 'etf',
        name: 'QQQ (test: SPY²)',
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
    const spy = loadSpyDaily();
    const bars = [];
    for (let i = spy.ts.length - 300; i < spy.ts.length; i++) {
      const b = {
        interval: '1d' as const,
        ts: spy.ts[i] as number,
        source: 'test',
        volume: 0,
        open: spy.open[i] as number,
        high: spy.high[i] as number,
        low: spy.low[i] as number,
        close: spy.close[i] as number,
      };
      bars.push({ ...b, symbol: 'SPY' });
      bars.push({
        ...b,
        symbol: 'QQQ',
        close: (b.close * b.close) / 100,
        high: b.high ** 2 / 100,
        low: b.low ** 2 / 100,
      });
    }
    await upsertBars(db, bars);
    const usdc = loadUsdcHourly();
    await upsertPrices(
      db,
      Array.from(usdc.ts, (ts, i) => ({
        symbol: 'USDC',
        ts,
        price: usdc.price[i] as number,
        source: 'defillama',
      })),
    );
  });
  afterAll(async () => {
    await db.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('analytics depegs: {events: [{asset, start, end, min_price, min_price_at, duration_seconds, recovery_time_seconds, severity_score}]}', async () => {
    const dry = await run('analytics', 'depegs', '--dry-run');
    expect(await count('depeg_events')).toBe(0);
    const r = await run('analytics', 'depegs', '--asset', 'USDC', '--since', '2023-03-01');
    expect(r.events).toEqual(dry.events);
    const [e] = r.events as Array<Record<string, unknown>>;
    expect(Object.keys(e ?? {})).toEqual(
      expect.arrayContaining([
        'asset',
        'start',
        'end',
        'min_price',
        'min_price_at',
        'duration_seconds',
        'recovery_time_seconds',
        'severity_score',
      ]),
    );
    expect(e?.min_price).toBeCloseTo(0.8767, 4);
    expect(await count('depeg_events')).toBe(1);
    expect((await run('analytics', 'depegs', '--since', '2024-01-01')).events).toEqual([]);
  });

  it('analytics correlations: {window_days, as_of, pairs: [{asset_1, asset_2, correlation, data_points, risk_level}]}', async () => {
    const r = await run(
      'analytics',
      'correlations',
      '--window',
      '90',
      '--as-of',
      '2020-08-28',
      '--assets',
      'SPY,QQQ',
    );
    expect(r).toMatchObject({ window_days: 90, as_of: '2020-08-28T00:00:00.000Z' });
    const pairs = r.pairs as Array<Record<string, unknown>>;
    expect(pairs).toHaveLength(1);
    // QQQ = SPY²/100: log returns are exactly twice SPY's, so ρ = 1 → CRITICAL.
    expect(pairs[0]).toMatchObject({ asset_1: 'QQQ', asset_2: 'SPY', risk_level: 'CRITICAL' });
    expect(pairs[0]?.correlation).toBeCloseTo(1, 12);
    expect(await count('asset_correlations')).toBe(2); // 30 and 90 days, computed together
  });

  it('analytics best-pairs and volatility write their tables; indicators gives per-bar columns', async () => {
    const best = await run('analytics', 'best-pairs');
    expect((best.pairs as unknown[]).length).toBe(1);
    expect(await count('best_pairs')).toBe(1);
    await run('analytics', 'volatility', 'SPY', '--dry-run');
    expect(await count('volatility_metrics')).toBe(0);
    const vol = await run('analytics', 'volatility');
    expect((vol.instruments as unknown[]).length).toBe(2);
    expect(await count('volatility_metrics')).toBe(600);
    const ind = await run(
      'analytics',
      'indicators',
      'SPY',
      '--from',
      '2020-08-01',
      '--to',
      '2020-08-28',
      '--indicators',
      'sma:50,ema:12',
    );
    expect(ind).toMatchObject({ symbol: 'SPY', interval: '1d' });
    const rows = ind.rows as Array<Record<string, unknown>>;
    expect(rows.at(-1)?.ts).toBe('2020-08-28T00:00:00.000Z');
    expect(rows[0]?.ts).toBe('2020-08-03T00:00:00.000Z');
    for (const k of [
      'close',
      'sma_20',
      'ema_20',
      'rsi_14',
      'macd',
      'macd_signal',
      'macd_hist',
      'bb_upper',
      'atr_14',
      'hv_20',
      'sma_50',
      'ema_12',
    ]) {
      expect(typeof rows[0]?.[k], k).toBe('number');
    }
  });

  it('usage errors are UsageError (exit 2)', async () => {
    await expect(run('analytics', 'correlations', '--window', 'x')).rejects.toBeInstanceOf(UsageError);
    // as the API's window (2–3650): a 1-day window cannot hold two returns
    await expect(run('analytics', 'correlations', '--window', '1')).rejects.toThrow(
      'expected 2 to 3650 days',
    );
    await expect(run('analytics', 'best-pairs', '--window', '5000')).rejects.toBeInstanceOf(UsageError);
    await expect(run('analytics', 'indicators', 'SPY', '--interval', '2d')).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(run('analytics', 'depegs', '--threshold', '2')).rejects.toBeInstanceOf(UsageError);
  });
});
