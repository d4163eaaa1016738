import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigStore } from '../src/config/store.ts';
import { DAY_MS } from '../src/core/time.ts';
import type { StoredBar } from '../src/core/types.ts';
import { loadDepegHistory, loadMarketInputs } from '../src/risk/market-reader.ts';
import { Rng } from '../src/risk/rng.ts';
import { runVar } from '../src/risk/service.ts';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';
import { upsertBars } from '../src/store/repos/bars.ts';
import { upsertInstruments } from '../src/store/repos/instruments.ts';

const AS_OF = Date.parse('2024-06-30T23:59:59Z');

/** 150 daily bars: BTC with 3 % daily vol, USDC and USDT sharing a common factor (ρ = 0.8), seed 21. */
function syntheticBars(): StoredBar[] {
  const rng = new Rng(21);
  const out: StoredBar[] = [];
  let btc = 40_000;
  let usdc = 1;
  let usdt = 1;
  const start = AS_OF - 150 * DAY_MS;
  for (let d = 0; d < 150; d++) {
    const ts = Math.floor((start + d * DAY_MS) / DAY_MS) * DAY_MS;
    const common = rng.normal();
    btc *= Math.exp(0.03 * rng.normal());
    // Mean-reverting around the peg so prices stay near 1.
    usdc = 1 + 0.5 * (usdc - 1) + 0.001 * (Math.sqrt(0.8) * common + Math.sqrt(0.2) * rng.normal());
    usdt = 1 + 0.5 * (usdt - 1) + 0.001 * (Math.sqrt(0.8) * common + Math.sqrt(0.2) * rng.normal());
    for (const [symbol, close] of [
      ['BTC', btc],
      ['USDC', usdc],
      ['USDT', usdt],
    ] as const) {
      out.push({
        symbol,
        interval: '1d',
        ts,
        open: close,
        high: close,
        low: close,
        close,
        volume: 1,
        source: 'test',
      });
    }
  }
  return out;
}

describe('risk market inputs from stored bars and analytics tables', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await upsertInstruments(db, [
      { symbol: 'BTC', assetClass: 'crypto', name: 'Bitcoin', currency: 'USD', timezone: 'UTC' },
      {
        symbol: 'USDC',
        assetClass: 'stablecoin',
        name: 'USD Coin',
        currency: 'USD',
        timezone: 'UTC',
        pegTarget: 1,
      },
      {
        symbol: 'USDT',
        assetClass: 'stablecoin',
        name: 'Tether',
        currency: 'USD',
        timezone: 'UTC',
        pegTarget: 1,
      },
    ]);
    await upsertBars(db, syntheticBars());
  });
  afterAll(async () => db.close());

  it('estimates volatility and correlation from bars; defaults for an asset without data', async () => {
    const m = await loadMarketInputs(db, ['BTC', 'USDC', 'USDT', 'DAI'], AS_OF);
    expect(m.sources.volatility.BTC).toMatch(/^1d bars/);
    expect(m.sources.volatility.DAI).toBe('default');
    // 90 returns of σ = 3 %: the sample σ is within ±20 % with overwhelming probability.
    expect(Math.abs((m.model.dailyVol[0] ?? 0) / 0.03 - 1)).toBeLessThan(0.2);
    expect(m.model.pegs).toEqual([null, 1, 1, 1]);
    expect(m.sources.correlation).toMatchObject({ bars: 3, default: 3 });
    const n = 4;
    // USDC/USDT share a ρ = 0.8 shock on the deviation; their return correlation is clearly positive.
    expect(m.model.correlation[1 * n + 2]).toBeGreaterThan(0.4);
    expect(m.model.correlation[3 * n + 1]).toBe(0.5); // DAI–USDC default (both pegged)
  });

  it('gives each asset its calendar: 252 a year for an ETF, 365 for crypto and stablecoins, 260 for FX', async () => {
    await upsertInstruments(db, [
      {
        symbol: 'SPY',
        assetClass: 'etf',
        name: 'SPDR S&P 500',
        currency: 'USD',
        timezone: 'America/New_York',
      },
      { symbol: 'EUR_USD', assetClass: 'fx', name: 'Euro', currency: 'USD', timezone: 'UTC' },
    ]);
    const m = await loadMarketInputs(db, ['SPY', 'BTC', 'USDC', 'EUR_USD', 'DAI'], AS_OF);
    expect(Array.from(m.model.periodsPerYear ?? [])).toEqual([252, 365, 365, 260, 365]);
    expect(m.sources.calendar).toEqual({
      SPY: 'etf',
      BTC: 'crypto',
      USDC: 'stablecoin',
      EUR_USD: 'fx',
      DAI: 'default',
    });
  });

  it('samples stored depeg events and reports those of the last 7 days', async () => {
    await db.exec(`INSERT INTO derived.depeg_events
        (asset, start_time, min_price, min_price_at, duration_seconds, severity_score, peg, threshold, source)
      VALUES ('USDC', '2023-03-11T02:00:00Z', 0.878, '2023-03-11T07:00:00Z', 86400, 0.6, 1, 0.99, 'test'),
             ('USDC', '2024-06-27T00:00:00Z', 0.97, '2024-06-27T01:00:00Z', 7200, 0.1, 1, 0.99, 'test');`);
    const h = await loadDepegHistory(db, ['USDC', 'USDT'], AS_OF, 3);
    expect(h.history?.events.length).toBe(2);
    expect(h.recent7d).toEqual([{ asset: 'USDC', start: '2024-06-27T00:00:00.000Z', min_price: 0.97 }]);
    const v = await runVar(db, {
      config: await ConfigStore.open({ db, live: false }),
      file: undefined,
      date: '2024-06-30',
      simulations: 20_000,
      seed: 1,
      store: false,
    });
    // Two events in 3 years → P(depeg in 30 days) = 1 − exp(−2/1095 × 30) ≈ 5.3 %.
    expect(Math.abs(v.result.depeg_hits / 20_000 - (1 - Math.exp((-2 / 1095) * 30)))).toBeLessThan(0.01);
  });
});
