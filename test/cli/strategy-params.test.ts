/**
 * `--params` takes the same two forms on `backtest` and `trade run` (the whole CLI in-process on an embedded
 * store in a temp home): k=v pairs and a JSON object give the same parameters, and bad input is one line on
 * stderr with exit 2.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.ts';
import { loadMarket } from '../backtest/fixtures.ts';
import { runMain } from '../support/cli.ts';

const home = mkdtempSync(join(tmpdir(), 'mp-params-cli-'));
const run = (...argv: string[]) => runMain(['--home', home, ...argv]);

beforeAll(async () => {
  const store = await openStore({ home });
  try {
    await loadMarket(store.db);
  } finally {
    await store.close();
  }
}, 120_000);
afterAll(() => rmSync(home, { recursive: true, force: true }));

const backtest = (params: string) =>
  run(
    '--json',
    'backtest',
    '--strategy',
    'ma-crossover',
    '--symbols',
    'AAA',
    '--params',
    params,
    '--no-store',
  );
const tradeRun = (params: string) =>
  run(
    '--json',
    'trade',
    'run',
    '--strategy',
    'ma-crossover',
    '--symbols',
    'AAA',
    '--params',
    params,
    '--replay',
    '2022-01-01..2023-12-31',
  );

describe('--params as k=v pairs or JSON, on both commands', () => {
  it('backtest: fast=5,slow=20 is the same run as {"fast":5,"slow":20}', async () => {
    const kv = await backtest('fast=5,slow=20');
    expect(kv.code, kv.err).toBe(0);
    const json = await backtest('{"fast":5,"slow":20}');
    expect(json.code, json.err).toBe(0);
    const a = JSON.parse(kv.out) as { params?: unknown; metrics: unknown; trades: unknown[] };
    const b = JSON.parse(json.out) as typeof a;
    expect(a.trades.length).toBeGreaterThan(0);
    expect(a.metrics).toEqual(b.metrics);
    expect(a.trades).toEqual(b.trades);
    // and not the defaults: another pair of windows trades differently
    const other = JSON.parse((await backtest('fast=10,slow=40')).out) as typeof a;
    expect(other.trades).not.toEqual(a.trades);
  }, 120_000);

  it('trade run: {"fast":5,"slow":20} is the same run as fast=5,slow=20 (same run id and client order ids)', async () => {
    const json = await tradeRun('{"fast":5,"slow":20}');
    expect(json.code, json.err).toBe(0);
    const first = JSON.parse(json.out) as { run_id: string; orders: number; fills: unknown[] };
    expect(first.orders).toBeGreaterThan(0);
    expect(first.fills).toHaveLength(first.orders);
    // the run id and every client order id hash the parameters: the same ones find the orders already stored
    const kv = await tradeRun('fast=5,slow=20');
    expect(kv.code, kv.err).toBe(0);
    const second = JSON.parse(kv.out) as { run_id: string; duplicates: number; fills: unknown[] };
    expect(second.run_id).toBe(first.run_id);
    expect(second.duplicates).toBe(first.orders);
    expect(second.fills).toEqual([]);
  }, 120_000);

  it('bad input: one line naming --params, exit 2, on both commands', async () => {
    // one at a time: runMain captures this process's stdout and stderr
    const cases: Array<[() => Promise<{ code: number; err: string }>, RegExp]> = [
      [() => backtest('fast'), /^marketpipe: --params: expected k=v\[,k=v…\] or a JSON object, got "fast"$/],
      [() => backtest('{oops'), /^marketpipe: --params: not valid JSON \(.+\)$/],
      [
        () => tradeRun('fast=5,slow'),
        /^marketpipe: --params: expected k=v\[,k=v…\] or a JSON object, got "slow"$/,
      ],
      [() => tradeRun('{"fast":5'), /^marketpipe: --params: not valid JSON \(.+\)$/],
    ];
    for (const [p, message] of cases) {
      const r = await p();
      expect(r.code, r.err).toBe(2);
      expect(r.err.trim()).toMatch(message);
    }
  });
});
