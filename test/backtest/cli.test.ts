import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestFromFlags } from '../../src/cli/commands/backtest-request.ts';
import { openStore } from '../../src/store/open.ts';
import { runMain } from '../support/cli.ts';
import { loadMarket, loadSplitMarket } from './fixtures.ts';

const run = (...argv: string[]) => runMain(argv);

const home = mkdtempSync(join(tmpdir(), 'mp-backtest-cli-'));

beforeAll(async () => {
  const store = await openStore({ home });
  try {
    await loadMarket(store.db);
    await loadSplitMarket(store.db);
  } finally {
    await store.close();
  }
}, 120_000);
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('marketpipe backtest (embedded store in a temp home)', () => {
  it('--json prints {strategy, symbols, from, to, metrics, trades} and stores the run', async () => {
    const r = await run(
      '--home',
      home,
      '--json',
      'backtest',
      '--strategy',
      'ma-crossover',
      '--symbols',
      'AAA',
      '--params',
      '{"fast":5,"slow":20}',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as Record<string, unknown> & {
      metrics: Record<string, number>;
      id: number;
    };
    expect(out).toMatchObject({
      strategy: 'ma-crossover',
      symbols: ['AAA'],
      from: '2022-01-03T00:00:00.000Z',
    });
    for (const k of ['total_return', 'cagr', 'sharpe', 'sortino', 'max_drawdown', 'win_rate'])
      expect(typeof out.metrics[k]).toBe('number');
    expect(Array.isArray(out.trades)).toBe(true);
    expect(out.conventions).toMatchObject({
      fill: 'next_open',
      fee_bps: 0,
      fee_on: 'notional_each_fill',
      fractional_shares: true,
      sharpe_annualisation: 'sqrt_periods_per_year',
      periods_per_year: out.metrics.periods_per_year,
    });
    const shown = await run('--home', home, '--json', 'backtests', 'show', String(out.id));
    expect(JSON.parse(shown.out)).toMatchObject({
      id: out.id,
      strategy: 'ma-crossover',
      conventions: out.conventions,
    });
  });

  it('simulated with a scenario, human output', async () => {
    const r = await run(
      '--home',
      home,
      'backtest',
      '--strategy',
      'switch',
      '--symbols',
      'AAA,CCC',
      '--simulate',
      'bootstrap',
      '--paths',
      '5',
      '--seed',
      '3',
      '--scenario',
      'crash_2008',
      '--on',
      '2022-10-03',
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/bootstrap, 5 paths, seed 3; medians/);
    expect(r.out).toMatch(/scenario crash_2008 on 2022-10-03/);
    expect(r.out).toMatch(/total return/);
  });

  it('exits 2 on bad usage and 1 with one line on an unknown symbol', async () => {
    const bad = await run(
      '--home',
      home,
      'backtest',
      '--strategy',
      'fly',
      '--symbols',
      'AAA',
      '--params',
      '{oops',
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--params: not valid JSON/);
    const missing = await run('--home', home, 'backtest', '--strategy', 'fly', '--symbols', 'NOPE');
    expect(missing.code).toBe(1);
    expect(missing.err.trim()).toMatch(/unknown instrument "NOPE"/);
  });
});

describe('marketpipe backtest --adjust', () => {
  it('runs on split-adjusted prices, says so, and stores the mode', async () => {
    const r = await run(
      '--home',
      home,
      '--json',
      'backtest',
      '--strategy',
      'buy-and-hold',
      '--symbols',
      'SPLT',
      '--adjust',
      'split',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { id: number; adjust: string; final_equity: number };
    // fixtures.ts: entry 400/4 = 100, exit 105 → 100 000 × 1.05 (raw would be 100 000 × 105/400 = 26 250)
    expect(out.adjust).toBe('split');
    expect(out.final_equity).toBeCloseTo(105_000, 6);
    const shown = await run('--home', home, '--json', 'backtests', 'show', String(out.id));
    expect(JSON.parse(shown.out)).toMatchObject({ id: out.id, adjust: 'split', config: { adjust: 'split' } });
    const human = await run('--home', home, 'backtests', 'show', String(out.id));
    expect(human.out).toMatch(/\(historical, split prices\)/);
    const list = await run('--home', home, 'backtests', 'list', '--strategy', 'buy-and-hold');
    expect(list.out).toMatch(
      new RegExp(`^\\s*${out.id}\\s+buy-and-hold\\s+SPLT\\s+historical\\s+split\\s`, 'm'),
    );
  });

  it('prints the mode in human output; split by default', async () => {
    const r = await run(
      '--home',
      home,
      'backtest',
      '--strategy',
      'buy-and-hold',
      '--symbols',
      'SPLT',
      '--no-store',
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/buy-and-hold on SPLT 1d split prices/);
    // split: 100 000 × 105/(400/4) − 100 000 = +5 % (raw would read −73.75 %)
    expect(r.out).toMatch(/total return\s+5\.00 %/);
  });

  it('refuses an unknown mode with one line naming it (bad usage, exit 2 like every flag)', async () => {
    const bad = await run(
      '--home',
      home,
      'backtest',
      '--strategy',
      'buy-and-hold',
      '--symbols',
      'SPLT',
      '--adjust',
      'splits',
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toBe(
      'marketpipe: --adjust: expected one of raw, split, adjusted, total-return, got "splits"\n',
    );
    expect(bad.out).toBe('');
  });
});

describe('flag parsing', () => {
  const base = {
    strategy: 's',
    symbols: 'A, B',
    interval: '1d',
    adjust: 'raw',
    paths: '100',
    seed: '1',
    fill: 'next_open',
    store: true,
  };
  it('turns flags into a request', () => {
    const req = requestFromFlags({
      ...base,
      adjust: 'total-return',
      simulate: 'gbm',
      paths: '20',
      feeBps: '5',
      stopLoss: '0.1',
    });
    expect(req).toMatchObject({
      symbols: ['A', 'B'],
      adjust: 'total-return',
      simulate: { model: 'gbm', paths: 20, seed: 1 },
      engine: { stopLoss: 0.1, costs: { feeBps: 5 } },
    });
  });
  it('refuses bad values with the flag name', () => {
    expect(() => requestFromFlags({ ...base, simulate: 'magic' })).toThrow(
      /--simulate: expected gbm\|jump\|bootstrap/,
    );
    expect(() => requestFromFlags({ ...base, scenario: 'x' })).toThrow(/--scenario needs --on/);
    expect(() => requestFromFlags({ ...base, fill: 'later' })).toThrow(/--fill/);
    expect(() => requestFromFlags({ ...base, simulate: 'gbm', paths: '0' })).toThrow(/--paths/);
    expect(() => requestFromFlags({ ...base, maxDrawdown: '1.5' })).toThrow(/--max-drawdown/);
    expect(() => requestFromFlags({ ...base, adjust: 'total' })).toThrow(/--adjust: expected one of/);
  });
  it('--entry cross|state goes to ma-crossover params, and only there', () => {
    const ma = { ...base, strategy: 'ma-crossover', params: '{"fast":5}' };
    expect(requestFromFlags({ ...ma, entry: 'state' }).params).toEqual({ fast: 5, entry: 'state' });
    expect(() => requestFromFlags({ ...ma, entry: 'later' })).toThrow(/--entry: expected cross\|state/);
    expect(() => requestFromFlags({ ...base, entry: 'cross' })).toThrow(/--entry applies to/);
  });
});
