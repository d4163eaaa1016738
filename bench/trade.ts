/**
 * Orders per second through the paper broker as `trade run --replay` sends them (engine step → pre-trade
 * risk → order, risk decision and two audit entries stored in one transaction → paper fill → transition and
 * fill stored), beside the bare backtest engine doing the same arithmetic without store or risk, measured
 * in the same run on the same real bars (samples/SPY_daily_1999-2020.csv, ma-crossover 2/3 so it trades
 * often). Embedded store (PGlite in memory).
 *
 * Run alone: node --import tsx bench/trade.ts
 */
import { readFileSync } from 'node:fs';
import { runEngine } from '../src/backtest/engine.ts';
import { loadSeries } from '../src/backtest/series-reader.ts';
import { maCrossover } from '../src/backtest/strategies/ma-crossover.ts';
import { ConfigStore } from '../src/config/store.ts';
import { createLogger } from '../src/core/log.ts';
import { PaperBroker } from '../src/execution/paper.ts';
import { runTrade } from '../src/execution/runner.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';
import { upsertBars } from '../src/store/repos/bars.ts';
import { upsertInstruments } from '../src/store/repos/instruments.ts';

const BARS = 1500;

export async function run(): Promise<void> {
  const db = await openPglite();
  await migrate(db);
  const rows = readFileSync(new URL('../samples/SPY_daily_1999-2020.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .slice(1, BARS + 1)
    .map((line) => {
      const [, d, o, h, l, c, v] = line.split(',');
      const close = Number(c);
      return {
        symbol: 'SPY',
        interval: '1d' as const,
        source: 'sample',
        ts: Date.parse(`${d}T00:00:00Z`),
        open: Number(o),
        high: Math.max(Number(h), close),
        low: Math.min(Number(l), close),
        close,
        volume: Number(v),
      };
    });
  await upsertInstruments(db, [
    { symbol: 'SPY', assetClass: 'etf', name: 'SPY', currency: 'USD', timezone: 'America/New_York' },
  ]);
  await upsertBars(db, rows);
  const first = rows[0]?.ts ?? 0;
  const range = { from: first, to: (rows.at(-1)?.ts ?? 0) + 1 };
  const params = { fast: 2, slow: 3 };
  const engine = { fill: 'next_open' as const, costs: { feeBps: 1, slippageBps: 1, feeFixed: 0 } };
  const config = await ConfigStore.open({ db, live: false });
  const broker = new PaperBroker({ symbols: ['SPY'], costs: engine.costs });

  const t0 = performance.now();
  const out = await runTrade(
    { db, config, log: createLogger('silent'), broker },
    { strategy: 'ma-crossover', symbols: ['SPY'], params, replay: range, engine },
  );
  const tradeMs = performance.now() - t0;

  const series = await loadSeries(db, ['SPY'], '1d', range, 'split');
  const reps = 200;
  let fills = 0;
  const t1 = performance.now();
  for (let r = 0; r < reps; r++) fills = runEngine(series, maCrossover(params), engine).fills.length;
  const bareMs = (performance.now() - t1) / reps;
  await config.close();
  await db.close();
  if (fills !== out.fills.length)
    throw new Error(`bench: ${out.fills.length} paper fills vs ${fills} engine fills`);

  const perSec = (n: number, ms: number) => (n / ms) * 1000;
  const paper = perSec(out.orders, tradeMs);
  const bare = perSec(fills, bareMs);
  console.log(`case                                              orders      ms        orders/s   vs bare`);
  console.log(
    `bare engine (same fills, no store/risk)       ${String(fills).padStart(10)} ${bareMs.toFixed(2).padStart(9)} ${Math.round(bare).toLocaleString('en-US').padStart(14)}     1.00×`,
  );
  console.log(
    `paper broker: risk → store → audit → fill     ${String(out.orders).padStart(10)} ${tradeMs.toFixed(0).padStart(9)} ${Math.round(paper).toLocaleString('en-US').padStart(14)} ${(bare / paper).toFixed(0).padStart(8)}×`,
  );
  console.log(
    `${BARS} SPY bars; paper fills equal the engine's (${fills}); per order: ${(tradeMs / out.orders).toFixed(2)} ms, of which store+audit dominate.`,
  );
  // Submit-to-ack latency against the loopback Binance and Alpaca (also `npm run bench -- trade-loopback`).
  console.log('');
  const { run: loopback } = await import('./trade-loopback.ts');
  await loopback();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
