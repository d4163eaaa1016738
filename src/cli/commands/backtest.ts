import type { Command } from 'commander';
import { ADJUST_MODES } from '../../analytics/adjust.ts';
import type { Metrics } from '../../backtest/metrics.ts';
import type { BacktestResponse } from '../../backtest/service.ts';
import { MODEL_KINDS } from '../../backtest/simulator/models.ts';
import { DEFAULT_MA_ENTRY, MA_ENTRY_MODES } from '../../backtest/strategies/ma-crossover.ts';
import { DEFAULT_BACKTEST_ADJUST, FILL_MODELS } from '../../backtest/types.ts';
import type { CommandContext } from '../context.ts';
import { formatTable } from '../table.ts';
import type { BacktestFlags } from './backtest-request.ts';

const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(2)} %` : String(x));
const fix = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : String(x));

const ROWS: Array<[string, keyof Metrics, (x: number) => string]> = [
  ['total return', 'total_return', pct],
  ['CAGR', 'cagr', pct],
  ['volatility', 'volatility', pct],
  ['Sharpe', 'sharpe', fix],
  ['Sortino', 'sortino', fix],
  ['Calmar', 'calmar', fix],
  ['max drawdown', 'max_drawdown', pct],
  ['max drawdown days', 'max_drawdown_days', (x) => x.toFixed(0)],
  ['trades', 'trades', (x) => x.toFixed(0)],
  ['win rate', 'win_rate', pct],
  ['profit factor', 'profit_factor', fix],
  ['expectancy', 'expectancy', fix],
  ['exposure', 'exposure', pct],
  ['turnover (×/yr)', 'turnover', fix],
];

export function formatBacktest(r: BacktestResponse): string {
  const head = [
    `${r.strategy} on ${r.symbols.join(',')} ${r.interval} ${r.adjust} prices, ${r.from.slice(0, 10)} → ${r.to.slice(0, 10)} (${r.mode}${
      r.simulation
        ? `: ${r.simulation.model}, ${r.simulation.paths} paths, seed ${r.simulation.seed}; medians`
        : ''
    })`,
  ];
  if (r.scenario) head.push(`scenario ${r.scenario.name} on ${r.scenario.on.slice(0, 10)}`);
  if (r.halted)
    head.push(`trading halted on ${r.halted.ts.slice(0, 10)} at drawdown ${pct(r.halted.drawdown)}`);
  const table = formatTable(
    ROWS.map(([label, key, f]) => ({
      metric: label,
      strategy: f(r.metrics[key]),
      'buy-and-hold': f(r.benchmark[key]),
    })),
    ['metric', 'strategy', 'buy-and-hold'],
  );
  const tail = `${r.fills} fills, ${r.trades.length} closed trades${r.id === null ? '' : `; stored as backtest ${r.id}`} (${r.duration_ms} ms)`;
  return `${head.join('\n')}\n${table}\n${tail}`;
}

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  program
    .command('backtest')
    .description('run a strategy on stored bars or on simulated markets, with an optional stress scenario')
    .requiredOption(
      '--strategy <name>',
      'buy-and-hold|ma-crossover|mean-reversion|pair-trade|switch|fly, or a path to a .ts module',
    )
    .requiredOption('--symbols <list>', 'comma-separated symbols, e.g. AAPL,MSFT')
    .option('--from <date>', 'first bar (ISO date/time; default: all history)')
    .option('--to <date>', 'last bar (ISO date/time; a date includes that day)')
    .option('--interval <interval>', 'bar interval', '1d')
    .option(
      '--adjust <mode>',
      `split/dividend adjustment of the bars: ${ADJUST_MODES.join('|')} (split: splits only; adjusted: splits and dividends; total-return: adjusted, anchored at the first bar); default split, so a split is not read as a crash`,
      DEFAULT_BACKTEST_ADJUST,
    )
    .option(
      '--params <k=v,...|json>',
      'strategy parameters as k=v pairs or a JSON object, e.g. fast=10,slow=30 or \'{"fast":10,"slow":30}\'',
    )
    .option(
      '--entry <mode>',
      `ma-crossover: first position on a cross of the averages, or on the state they start in: ${MA_ENTRY_MODES.join('|')} (default ${DEFAULT_MA_ENTRY})`,
    )
    .option('--simulate <model>', `Monte Carlo over simulated markets: ${MODEL_KINDS.join('|')}`)
    .option('--paths <n>', 'simulated paths', '100')
    .option('--seed <n>', 'seed of the simulation', '1')
    .option('--block <n>', 'bootstrap block length in bars (default 20)')
    .option('--scenario <name>', 'stress scenario (stored or built-in) or depeg:SYMBOL, applied on --on')
    .option('--on <date>', 'date the scenario hits')
    .option('--fill <model>', `when orders fill: ${FILL_MODELS.join('|')}`, 'next_open')
    .option('--cash <amount>', 'initial cash (default 100000)')
    .option('--fee-bps <bps>', 'fee in basis points of notional')
    .option('--fee-fixed <amount>', 'fixed fee per fill')
    .option('--slippage-bps <bps>', 'slippage in basis points')
    .option('--stop-loss <fraction>', 'exit a position at this loss from its cost, e.g. 0.05')
    .option('--take-profit <fraction>', 'exit a position at this gain from its cost')
    .option('--max-drawdown <fraction>', 'flatten and halt once equity is this far below its peak')
    .option('--max-exposure <x>', 'cap correlation-weighted gross exposure √(wᵀCw) (1 = 100 % of equity)')
    .option('--no-store', 'do not store the run')
    .action(async (opts: BacktestFlags) => {
      const { requestFromFlags } = await import('./backtest-request.ts');
      const req = requestFromFlags(opts);
      const c = await ctx();
      const { runBacktest } = await import('../../backtest/service.ts');
      const out = await runBacktest(c.db, req);
      c.print(out, formatBacktest);
    });

  const runs = program.command('backtests').description('stored backtest runs');
  runs
    .command('list')
    .description('latest stored runs')
    .option('--strategy <name>', 'only this strategy')
    .option('--limit <n>', 'how many', '20')
    .action(async (opts: { strategy?: string; limit: string }) => {
      const { num, positiveInt } = await import('./backtest-request.ts');
      const limit = num('--limit', opts.limit, positiveInt) ?? 20;
      const c = await ctx();
      const [{ listRuns }, { storedAdjust, storedConventions }] = await Promise.all([
        import('../../store/repos/strategies.ts'),
        import('../../backtest/service.ts'),
      ]);
      const runs = await listRuns(c.db, { strategy: opts.strategy, limit });
      const list = runs.map((x) => ({ ...x, conventions: storedConventions(x.config) }));
      c.print({ runs: list }, (r) =>
        formatTable(
          r.runs.map((x) => ({
            id: x.id,
            strategy: x.strategy,
            symbols: x.symbols.join(','),
            mode: x.mode,
            adjust: storedAdjust(x.config),
            from: new Date(x.from).toISOString().slice(0, 10),
            to: new Date(x.to).toISOString().slice(0, 10),
            total_return: Number(x.metrics.total_return ?? Number.NaN),
            sharpe: Number(x.metrics.sharpe ?? Number.NaN),
          })),
          ['id', 'strategy', 'symbols', 'mode', 'adjust', 'from', 'to', 'total_return', 'sharpe'],
        ),
      );
    });
  runs
    .command('show <id>')
    .description('one stored run with its metrics, trades and fills')
    .action(async (id: string) => {
      const { num, positiveInt } = await import('./backtest-request.ts');
      const n = num('id', id, positiveInt) ?? 0;
      const c = await ctx();
      const { getBacktest } = await import('../../backtest/service.ts');
      const run = await getBacktest(c.db, n);
      c.print(run, (r) =>
        [
          `backtest ${r.id}: ${r.strategy} on ${r.symbols.join(',')} (${r.mode}, ${r.adjust} prices), ${new Date(r.from).toISOString().slice(0, 10)} → ${new Date(r.to).toISOString().slice(0, 10)}`,
          formatTable(
            Object.entries(r.metrics).map(([metric, value]) => ({
              metric,
              value: typeof value === 'number' ? value : String(value),
            })),
            ['metric', 'value'],
          ),
          `${r.signals?.length ?? 0} fills, ${r.trades.length} trades`,
        ].join('\n'),
      );
    });
}
