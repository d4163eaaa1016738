/**
 * Replay parity (issue 21): `trade run --broker paper --replay FROM..TO` books exactly the fills and trades of
 * `backtest` with the same strategy, parameters, fill model and costs, on real SPY (1999-2020) and BTC
 * (2021-2025) daily history — the reference being the backtest itself (CLI output and its engine's fills).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/chain.ts';
import { runEngine } from '../../src/backtest/engine.ts';
import { loadSeries } from '../../src/backtest/series-reader.ts';
import { STRATEGIES } from '../../src/backtest/strategies/index.ts';
import * as backtestCmd from '../../src/cli/commands/backtest.ts';
import * as tradeCmd from '../../src/cli/commands/trade.ts';
import { loadSettings, type Settings } from '../../src/settings.ts';
import type { Db } from '../../src/store/db.ts';
import { type TestBackend, testBackends } from '../store/backends.ts';
import { runCommands } from '../support/cli.ts';
import { loadSamples } from './fixtures.ts';

const [backend] = await testBackends('exec_parity');
if (backend === undefined) throw new Error('no backend');

interface Out {
  trades: Array<Record<string, unknown>>;
  fills: number | Array<Record<string, unknown>>;
  final_equity: number;
  orders: number;
  filled: number;
  rejected: number;
  duplicates: number;
  rejections: Array<{ rule: string }>;
  halted: unknown;
}

const TRADE_FIELDS = ['symbol', 'entry_ts', 'exit_ts', 'qty', 'entry_price', 'exit_price', 'pnl'] as const;
const pick = (t: Record<string, unknown>) => Object.fromEntries(TRADE_FIELDS.map((k) => [k, t[k]]));

describe(`trade run --broker paper --replay equals backtest (${backend.name})`, () => {
  let db: Db;
  let settings: Settings;
  const home = mkdtempSync(join(tmpdir(), 'mp-exec-parity-'));
  const run = async (...argv: string[]): Promise<Out> => {
    const { printed } = await runCommands([backtestCmd, tradeCmd], { db, settings }, argv);
    return printed[0] as Out;
  };
  const storedFills = async (symbol: string) =>
    (
      await db.query<{ ts: Date; side: string; qty: number; price: number; fee: number }>(
        'SELECT ts, side, qty, price, fee FROM execution.fills WHERE symbol = $1 ORDER BY id',
        [symbol],
      )
    ).rows.map((r) => [new Date(r.ts).getTime(), r.side, r.qty, r.price, r.fee]);

  beforeAll(async () => {
    db = await backend.open();
    settings = loadSettings({ MARKETPIPE_HOME: home });
    await loadSamples(db);
  }, 60_000);
  afterAll(async () => {
    await (backend as TestBackend).dispose(db);
    rmSync(home, { recursive: true, force: true });
  });

  const cases = [
    {
      symbol: 'SPY',
      range: ['1999-11-01', '2020-12-31'],
      strategy: 'ma-crossover',
      params: { fast: 20, slow: 50 },
      fill: 'next_open',
      fee: '10',
      slip: '5',
    },
    {
      symbol: 'BTC',
      range: ['2021-12-01', '2025-12-31'],
      strategy: 'ma-crossover',
      params: { fast: 10, slow: 30, short: true },
      fill: 'next_close',
      fee: '10',
      slip: '2',
    },
    {
      symbol: 'BTC',
      range: ['2021-12-01', '2025-12-31'],
      strategy: 'mean-reversion',
      params: { window: 20 },
      fill: 'same_close',
      fee: '5',
      slip: '0',
    },
  ] as const;

  for (const c of cases) {
    it(`${c.symbol} ${c.strategy} ${JSON.stringify(c.params)} ${c.fill}: same fills, trades and equity`, async () => {
      const before = (await storedFills(c.symbol)).length;
      const costs = ['--fee-bps', c.fee, '--slippage-bps', c.slip, '--fill', c.fill];
      const bt = await run(
        'backtest',
        '--strategy',
        c.strategy,
        '--symbols',
        c.symbol,
        '--from',
        c.range[0],
        '--to',
        c.range[1],
        '--params',
        JSON.stringify(c.params),
        ...costs,
        '--no-store',
      );
      const kv = Object.entries(c.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const tr = await run(
        'trade',
        'run',
        '--strategy',
        c.strategy,
        '--symbols',
        c.symbol,
        '--broker',
        'paper',
        '--params',
        kv,
        '--replay',
        `${c.range[0]}..${c.range[1]}`,
        ...costs,
      );
      expect(bt.trades.length).toBeGreaterThan(5);
      expect(tr.trades.map(pick)).toEqual(bt.trades.map(pick));
      expect(tr.final_equity).toBe(bt.final_equity);
      expect((tr.fills as unknown[]).length).toBe(bt.fills);
      expect([tr.orders, tr.filled, tr.rejected, tr.duplicates]).toEqual([bt.fills, bt.fills, 0, 0]);

      // the paper broker's stored fills are the backtest engine's fills, to the last bit
      const series = await loadSeries(
        db,
        [c.symbol],
        '1d',
        { from: Date.parse(c.range[0]), to: Date.parse(c.range[1]) + 86_400_000 },
        'split',
      );
      const factory = STRATEGIES[c.strategy];
      if (factory === undefined) throw new Error(c.strategy);
      const ref = runEngine(series, factory({ ...c.params }), {
        fill: c.fill,
        costs: { feeBps: Number(c.fee), slippageBps: Number(c.slip) },
      });
      const stored = (await storedFills(c.symbol)).slice(before);
      expect(stored).toEqual(ref.fills.map((f) => [f.ts, f.side, f.qty, f.price, f.fee]));
      // each filled order carries exactly its one fill
      const off = await db.query(
        `SELECT o.client_order_id FROM execution.orders o JOIN execution.fills f ON f.order_id = o.id
          WHERE o.status = 'filled' AND (o.filled_qty <> o.qty OR o.avg_price <> f.price)`,
      );
      expect(off.rows).toEqual([]);
    }, 60_000);
  }

  it('a re-run of the same replay sends nothing twice', async () => {
    const count = async () =>
      Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM execution.orders')).rows[0]?.n);
    const n = await count();
    const again = await run(
      'trade',
      'run',
      '--strategy',
      'ma-crossover',
      '--symbols',
      'SPY',
      '--params',
      'fast=20,slow=50',
      '--replay',
      '1999-11-01..2020-12-31',
      '--fee-bps',
      '10',
      '--slippage-bps',
      '5',
    );
    expect(again.duplicates).toBe(again.orders);
    expect(again.fills).toEqual([]);
    expect(await count()).toBe(n);
  });

  it('orders --json and positions --json have the promised shapes', async () => {
    const { printed } = await runCommands([tradeCmd], { db, settings }, [
      'orders',
      '--status',
      'filled',
      '--limit',
      '2',
    ]);
    const orders = (printed[0] as { orders: Array<Record<string, unknown>> }).orders;
    expect(orders).toHaveLength(2);
    expect(Object.keys(orders[0] ?? {})).toEqual([
      'id',
      'client_order_id',
      'broker',
      'symbol',
      'side',
      'type',
      'qty',
      'limit_price',
      'status',
      'filled_qty',
      'avg_price',
      'reason',
      'created_at',
      'updated_at',
    ]);
    const pos = await runCommands([tradeCmd], { db, settings }, ['positions']);
    const positions = (pos.printed[0] as { positions: Array<Record<string, unknown>> }).positions;
    for (const p of positions)
      expect(Object.keys(p)).toEqual([
        'broker',
        'symbol',
        'qty',
        'avg_price',
        'market_value',
        'unrealized_pnl',
      ]);
  });

  it('a risk limit refuses orders in a replay: stored rejected with the rule, audited, and the trades differ', async () => {
    await db.query(
      `UPDATE config.parameters SET value = '120000' WHERE category = 'risk_limits' AND key = 'max_order_notional'`,
    );
    try {
      const tr = await run(
        'trade',
        'run',
        '--strategy',
        'ma-crossover',
        '--symbols',
        'SPY',
        '--params',
        'fast=10,slow=40',
        '--replay',
        '1999-11-01..2020-12-31',
      );
      expect(tr.rejected).toBeGreaterThan(0);
      expect(new Set(tr.rejections.map((r) => r.rule))).toEqual(new Set(['max_order_notional']));
      const rej = await db.query<{ reason: string }>(
        `SELECT reason FROM execution.orders WHERE status = 'rejected' AND reason LIKE 'risk:max_order_notional%'`,
      );
      expect(rej.rows.length).toBe(tr.rejected);
      const decisions = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM execution.risk_decisions WHERE allowed = false AND rule = 'max_order_notional'`,
      );
      expect(Number(decisions.rows[0]?.n)).toBe(tr.rejected);
      const audit = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM config.audit_chain WHERE kind = 'risk' AND action = 'refuse'`,
      );
      expect(Number(audit.rows[0]?.n)).toBe(tr.rejected);
      expect((await verifyChain(db)).ok).toBe(true);
    } finally {
      await db.query(
        `UPDATE config.parameters SET value = '0' WHERE category = 'risk_limits' AND key = 'max_order_notional'`,
      );
    }
  });

  it('the kill switch refuses every order until resumed', async () => {
    const h = await runCommands([tradeCmd], { db, settings }, ['trade', 'halt', '--reason', 'test stop']);
    expect(h.printed[0]).toMatchObject({ scope: 'global', reason: 'test stop' });
    const tr = await run(
      'trade',
      'run',
      '--strategy',
      'ma-crossover',
      '--symbols',
      'BTC',
      '--params',
      'fast=5,slow=20',
      '--replay',
      '2021-12-01..2022-12-31',
    );
    expect(tr.filled).toBe(0);
    expect(tr.rejected).toBe(tr.orders);
    expect(tr.orders).toBeGreaterThan(0);
    expect(new Set(tr.rejections.map((r) => r.rule))).toEqual(new Set(['kill_switch']));
    const r = await runCommands([tradeCmd], { db, settings }, ['trade', 'resume']);
    expect(r.printed[0]).toEqual({ scope: 'global', resumed: true });
  });
});
