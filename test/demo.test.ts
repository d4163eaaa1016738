import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandContext, printer } from '../src/cli/context.ts';
import { demoExtraSteps } from '../src/cli/demo-steps.ts';
import { createLogger } from '../src/core/log.ts';
import { type DemoSummary, runDemo } from '../src/demo.ts';
import { loadSettings } from '../src/settings.ts';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';

describe('the demo (the main job, offline, on the embedded store)', () => {
  let db: Db;
  let c: CommandContext;
  let first: DemoSummary;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    const home = mkdtempSync(join(tmpdir(), 'mp-demo-'));
    c = {
      settings: loadSettings({ MARKETPIPE_HOME: home }),
      json: true,
      db,
      storeMode: 'memory',
      print: printer(true),
      log: createLogger('silent'),
      close: async () => undefined,
    };
    first = await runDemo(db, { extraSteps: demoExtraSteps(c) });
  }, 300_000);
  afterAll(async () => db.close());

  it('loads at least 100 instruments and 50,000 bars over years, every step ok', () => {
    expect(first.steps.filter((s) => !s.ok)).toEqual([]);
    expect(first.instruments).toBeGreaterThanOrEqual(100);
    expect(first.bars).toBeGreaterThanOrEqual(50_000);
    const years = (Date.parse(first.to ?? '') - Date.parse(first.from ?? '')) / (365 * 86_400_000);
    expect(years).toBeGreaterThan(3);
  });

  it('finds the USDC depeg near 0.88 and passes its own quality gate', () => {
    const analytics = first.steps.find((s) => s.name === 'analytics');
    // Real Kraken USDC/USD lows of 2023-03-11 reach 0.874 (samples/USDC_kraken_hourly_2023-03.csv); the
    // synthetic episode is shaped to a 0.88 trough.
    expect(analytics?.usdc_min_price).toBeGreaterThan(0.86);
    expect(analytics?.usdc_min_price).toBeLessThan(0.89);
    expect(first.steps.find((s) => s.name === 'validate')?.overall_valid).toBe(true);
  });

  it('writes the daily risk report to disk with its alerts', () => {
    const risk = first.steps.find((s) => s.name === 'risk');
    expect(typeof risk?.report).toBe('string');
    expect(existsSync(String(risk?.report))).toBe(true);
    expect(Number(risk?.var_95)).toBeGreaterThan(0);
  });

  it('is idempotent: a second run changes no counts and stores nothing new', async () => {
    const again = await runDemo(db, { extraSteps: demoExtraSteps(c) });
    expect({ instruments: again.instruments, bars: again.bars, prices: again.prices }).toEqual({
      instruments: first.instruments,
      bars: first.bars,
      prices: first.prices,
    });
    expect(again.steps.find((s) => s.name === 'synthetic')?.stored).toBe(0);
    expect(again.steps.find((s) => s.name === 'latest')?.stored).toBe(0);
  }, 300_000);
});
