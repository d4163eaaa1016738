import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBacktest, runBacktest } from '../../src/backtest/service.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { loadMarket } from './fixtures.ts';

let db: Db;
beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
  await loadMarket(db);
}, 60_000);
afterAll(async () => {
  await db.close();
});

const CASES: Array<[string, string[], Record<string, unknown>]> = [
  ['buy-and-hold', ['AAA', 'BTC'], {}],
  ['ma-crossover', ['AAA'], { fast: 10, slow: 30 }],
  ['mean-reversion', ['BTC'], { mode: 'rsi' }],
  ['pair-trade', ['BBB', 'AAA'], { lookback: 40, entry: 1.5 }],
  ['switch', ['AAA', 'CCC', 'BTC'], { lookback: 40, every: 10 }],
  ['fly', ['AAA', 'BBB', 'CCC'], { lookback: 30, entry: 1.5 }],
];

describe('runBacktest on stored bars (PGlite)', () => {
  for (const [strategy, symbols, params] of CASES) {
    it(`${strategy} runs, is stored, and reads back with its fills`, async () => {
      const out = await runBacktest(db, { strategy, symbols, params });
      expect(out.id).toBeGreaterThan(0);
      expect(out.mode).toBe('historical');
      expect(out.fills).toBeGreaterThan(0);
      for (const key of ['total_return', 'cagr', 'sharpe', 'sortino', 'max_drawdown', 'win_rate'] as const) {
        expect(Number.isFinite(out.metrics[key])).toBe(true);
      }
      const stored = await getBacktest(db, out.id ?? 0);
      expect(stored.strategy).toBe(strategy);
      expect(stored.signals).toHaveLength(out.fills);
      expect(stored.equity?.ts.length).toBeGreaterThan(100);
    });
  }

  it('buy-and-hold of one asset matches the benchmark exactly', async () => {
    const out = await runBacktest(db, { strategy: 'buy-and-hold', symbols: ['AAA'], store: false });
    expect(out.metrics.total_return).toBeCloseTo(out.benchmark.total_return, 12);
  });

  it('respects --from/--to', async () => {
    const out = await runBacktest(db, {
      strategy: 'buy-and-hold',
      symbols: ['BTC'],
      from: '2022-03-01',
      to: '2022-06-30',
      store: false,
    });
    expect(out.from).toBe('2022-03-01T00:00:00.000Z');
    expect(out.to).toBe('2022-06-30T00:00:00.000Z');
  });

  it('a stored stress scenario hits the history on the chosen date', async () => {
    const plain = await runBacktest(db, { strategy: 'buy-and-hold', symbols: ['BTC'], store: false });
    const shocked = await runBacktest(db, {
      strategy: 'buy-and-hold',
      symbols: ['BTC'],
      scenario: { name: 'Crypto Crash', on: '2022-06-01' },
      store: false,
    });
    // Crypto Crash (migration 030): BTC −50 %, a permanent level shock → final equity halves.
    expect(shocked.scenario?.impacts).toEqual({ BTC: -0.5 });
    expect(shocked.final_equity / plain.final_equity).toBeCloseTo(0.5, 9);
  });

  it('a stablecoin depegs along the USDC-2023 shape and recovers', async () => {
    const out = await runBacktest(db, {
      strategy: 'buy-and-hold',
      symbols: ['USDC'],
      scenario: { name: 'Banking Crisis (SVB)', on: '2022-06-01' },
    });
    expect(out.scenario?.shapes.USDC?.[1]).toBeCloseTo(0.88, 12);
    expect(out.metrics.max_drawdown).toBeGreaterThan(0.11);
    expect(out.metrics.total_return).toBeCloseTo(0, 9);
  });

  it('simulated markets: GBM Monte Carlo with a scenario, seeded and stored', async () => {
    const req = {
      strategy: 'ma-crossover',
      symbols: ['AAA', 'BTC'],
      params: { symbol: 'BTC' },
      simulate: { model: 'gbm' as const, paths: 20, seed: 42 },
      scenario: { name: 'covid_2020', on: '2022-09-01' },
    };
    const a = await runBacktest(db, req);
    const b = await runBacktest(db, { ...req, store: false });
    expect(a.mode).toBe('simulated');
    expect(a.simulation?.paths).toBe(20);
    expect(b.simulation?.metrics).toEqual(a.simulation?.metrics);
    expect(a.scenario?.impacts).toEqual({ AAA: -0.34, BTC: -0.5 });
    const tr = a.simulation?.metrics.total_return;
    expect((tr?.p5 ?? 0) <= (tr?.p95 ?? 0)).toBe(true);
    expect(a.metrics.total_return).toBe(tr?.p50);
    expect((await getBacktest(db, a.id ?? 0)).mode).toBe('simulated');
  });

  for (const model of ['bootstrap', 'jump'] as const) {
    it(`simulated markets: ${model}`, async () => {
      const out = await runBacktest(db, {
        strategy: 'switch',
        symbols: ['AAA', 'CCC'],
        simulate: { model, paths: 10, seed: 1 },
        store: false,
      });
      expect(out.simulation?.model).toBe(model);
      expect(Number.isFinite(out.metrics.sharpe)).toBe(true);
    });
  }

  it('names what is wrong', async () => {
    await expect(runBacktest(db, { strategy: 'nope', symbols: ['AAA'] })).rejects.toThrow(
      /unknown strategy nope/,
    );
    await expect(runBacktest(db, { strategy: 'buy-and-hold', symbols: ['ZZZ'] })).rejects.toThrow(
      /unknown instrument "ZZZ"/,
    );
    await expect(
      runBacktest(db, {
        strategy: 'buy-and-hold',
        symbols: ['AAA'],
        scenario: { name: 'martians', on: '2022-06-01' },
      }),
    ).rejects.toThrow(/unknown scenario "martians"/);
    await expect(
      runBacktest(db, { strategy: 'buy-and-hold', symbols: ['AAA'], from: '2010-01-01', to: '2010-02-01' }),
    ).rejects.toThrow(/need at least 2/);
  });
});
