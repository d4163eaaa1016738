/**
 * A dry run on a real venue needs no keys: `trade run --broker binance|alpaca` without `--live`, run as a user
 * runs it (a real CLI process on an embedded store with stored bars, no venue keys in its environment), exits
 * 0 and reports every order it would have sent, and makes no request to the venue (a loopback fake that
 * records every request is where BINANCE_BASE_URL / ALPACA_BASE_URL point).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TradeRunResult } from '../../src/execution/runner.ts';
import { openStore } from '../../src/store/open.ts';
import { spawnCli } from '../support/cli.ts';
import { type FakeAlpaca, startFakeAlpaca } from './fake-alpaca.ts';
import { type FakeBinance, startFakeBinance } from './fake-binance.ts';
import { loadSamples } from './fixtures.ts';

// the CLI process inherits this environment: no venue keys or endpoints in it, whatever the machine has
for (const k of Object.keys(process.env))
  if (k.startsWith('BINANCE_') || k.startsWith('ALPACA_')) delete process.env[k];

const home = mkdtempSync(join(tmpdir(), 'mp-dry-keyless-'));
let binance: FakeBinance;
let alpaca: FakeAlpaca;

beforeAll(async () => {
  const store = await openStore({ home });
  try {
    await loadSamples(store.db);
  } finally {
    await store.close();
  }
  binance = await startFakeBinance({ apiKey: 'fake-key', apiSecret: 'fake-secret' });
  alpaca = await startFakeAlpaca({ apiKey: 'fake-key', apiSecret: 'fake-secret' });
}, 120_000);
afterAll(async () => {
  await binance?.close();
  await alpaca?.close();
  rmSync(home, { recursive: true, force: true });
});

// BTC's stored bars run 2021-12 → 2025, SPY's 1999 → 2020 (fixtures.ts)
const REPLAY: Record<string, string> = { BTC: '2022-01-01..2022-12-31', SPY: '2019-01-01..2019-12-31' };

const tradeRun = (broker: string, symbol: string, env: Record<string, string> = {}) =>
  spawnCli(
    [
      '--home',
      home,
      '--json',
      'trade',
      'run',
      '--strategy',
      'ma-crossover',
      '--symbols',
      symbol,
      '--broker',
      broker,
      '--params',
      'fast=5,slow=20',
      '--replay',
      REPLAY[symbol] ?? '',
    ],
    env,
    90_000,
  ).done;

const sent = (r: TradeRunResult) => r.would_send.map((o) => [o.symbol, o.side, o.qty, o.price]);

describe('trade run: a dry run on a real venue without keys', () => {
  it('binance: exits 0 and reports the orders it would send, the same a paper replay fills', async () => {
    const dry = await tradeRun('binance', 'BTC');
    expect(dry.code, dry.stderr).toBe(0);
    const out = JSON.parse(dry.stdout) as TradeRunResult;
    expect(out).toMatchObject({ broker: 'binance', mode: 'replay', dry_run: true, rejected: 0, fills: [] });
    expect(out.orders).toBeGreaterThan(0);
    expect(out.would_send).toHaveLength(out.orders);
    expect(dry.stderr).toMatch(/dry run without keys \(--broker binance needs BINANCE_API_KEY/);
    expect(dry.stderr).toMatch(/positions start at zero/);
    // expected orders: the paper broker's fills of the same replay (the runner's parity: the engine decides
    // what trades and at what price, the paper broker books it at that price with no costs by default)
    const paper = await tradeRun('paper', 'BTC');
    expect(paper.code, paper.stderr).toBe(0);
    const filled = (JSON.parse(paper.stdout) as TradeRunResult).fills.map((f) => [
      f.symbol,
      f.side,
      f.qty,
      f.price,
    ]);
    expect(filled.length).toBeGreaterThan(0);
    expect(sent(out)).toEqual(filled);
  }, 180_000);

  it('makes no request to the venue: the loopback fakes behind BINANCE_BASE_URL and ALPACA_BASE_URL see none', async () => {
    const b = await tradeRun('binance', 'BTC', { BINANCE_BASE_URL: binance.baseUrl });
    expect(b.code, b.stderr).toBe(0);
    const a = await tradeRun('alpaca', 'SPY', { ALPACA_BASE_URL: alpaca.baseUrl });
    expect(a.code, a.stderr).toBe(0);
    const bo = JSON.parse(b.stdout) as TradeRunResult;
    const ao = JSON.parse(a.stdout) as TradeRunResult;
    expect(bo).toMatchObject({ broker: 'binance', dry_run: true });
    expect(ao).toMatchObject({ broker: 'alpaca', dry_run: true });
    expect(bo.would_send.length).toBeGreaterThan(0);
    expect(ao.would_send.length).toBeGreaterThan(0);
    expect(ao.would_send.every((o) => o.symbol === 'SPY')).toBe(true);
    expect(binance.requests).toEqual([]);
    expect(alpaca.requests).toEqual([]);
  }, 180_000);

  it('--live with trading.live_enabled still needs the keys: one line, exit 1, nothing sent', async () => {
    const set = await spawnCli([
      '--home',
      home,
      'config',
      'set',
      'trading.live_enabled',
      'true',
      '--reason',
      'test',
    ]).done;
    expect(set.code, set.stderr).toBe(0);
    try {
      const live = await spawnCli(
        [
          '--home',
          home,
          'trade',
          'run',
          '--strategy',
          'ma-crossover',
          '--symbols',
          'BTC',
          '--broker',
          'binance',
          '--live',
          '--replay',
          '2022-01-01..2022-12-31',
        ],
        { BINANCE_BASE_URL: binance.baseUrl },
        90_000,
      ).done;
      expect(live.code).toBe(1);
      expect(live.stderr).toMatch(/--broker binance needs BINANCE_API_KEY and BINANCE_API_SECRET/);
      expect(binance.requests).toEqual([]);
    } finally {
      await spawnCli(['--home', home, 'config', 'set', 'trading.live_enabled', 'false', '--reason', 'test'])
        .done;
    }
  }, 120_000);
});
