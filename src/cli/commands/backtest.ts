import type { Command } from 'commander';
import { z } from 'zod';
import { ADJUST_MODES } from '../../analytics/adjust.ts';
import { BacktestRunBody } from '../../api/contract/backtests.ts';
import type { Metrics } from '../../backtest/metrics.ts';
import type { BacktestResponse, runBacktest } from '../../backtest/service.ts';
import { MODEL_KINDS, type ModelKind } from '../../backtest/simulator/models.ts';
import { DEFAULT_MA_ENTRY, MA_ENTRY_MODES } from '../../backtest/strategies/ma-crossover.ts';
import { DEFAULT_BACKTEST_ADJUST, FILL_MODELS, type FillModel } from '../../backtest/types.ts';
import { UsageError } from '../../core/errors.ts';
import { INTERVALS } from '../../core/types.ts';
import type { CommandContext } from '../context.ts';
import { formatTable } from '../table.ts';

interface BacktestFlags {
  strategy: string;
  symbols: string;
  from?: string;
  to?: string;
  interval: string;
  adjust: string;
  params?: string;
  entry?: string;
  simulate?: string;
  paths: string;
  seed: string;
  block?: string;
  scenario?: string;
  on?: string;
  fill: string;
  cash?: string;
  feeBps?: string;
  feeFixed?: string;
  slippageBps?: string;
  stopLoss?: string;
  takeProfit?: string;
  maxDrawdown?: string;
  maxExposure?: string;
  store: boolean;
}

function num(
  flag: string,
  value: string | undefined,
  check: (v: number) => boolean = Number.isFinite,
): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (value.trim() === '' || !check(v)) throw new UsageError(`${flag}: invalid value "${value}"`);
  return v;
}

const positiveInt = (v: number): boolean => Number.isInteger(v) && v > 0;
const fraction = (v: number): boolean => v > 0 && v < 1;
const nonNegative = (v: number): boolean => Number.isFinite(v) && v >= 0;

/**
 * The flags `POST /api/backtests` shares, parsed by its contract (api/contract/backtests.ts). The CLI is wider
 * in three ways: it also loads strategy modules from files, runs on any stored interval and any number of
 * symbols.
 */
const BacktestFlagsRequest = BacktestRunBody.extend({
  strategy: z.string().min(1),
  symbols: z.array(z.string()).min(1, 'give at least one symbol, e.g. --symbols AAPL,MSFT'),
  interval: z.enum(INTERVALS, { error: 'unknown interval' }),
});

/** `value` parsed by `schema`; the first problem is a UsageError naming its flag and the value given. */
function parseFlags<T extends z.ZodType>(schema: T, value: Record<string, unknown>): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = String(issue?.path[0] ?? '');
  const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const given = value[key];
  throw new UsageError(
    `${flag}: ${issue?.message ?? 'invalid value'}${typeof given === 'string' ? `, got "${given}"` : ''}`,
  );
}

/** Turns flags into a request; every usage mistake is a UsageError (exit 2). */
export function requestFromFlags(o: BacktestFlags): Parameters<typeof runBacktest>[1] {
  let params: unknown;
  if (o.params !== undefined) {
    try {
      params = JSON.parse(o.params);
    } catch (cause) {
      throw new UsageError(`--params: not valid JSON (${(cause as Error).message})`);
    }
    if (typeof params !== 'object' || params === null || Array.isArray(params))
      throw new UsageError('--params: expected a JSON object');
  }
  const { entry, ...req } = parseFlags(BacktestFlagsRequest, {
    strategy: o.strategy,
    symbols: o.symbols
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    from: o.from,
    to: o.to,
    interval: o.interval,
    adjust: o.adjust,
    params,
    entry: o.entry,
  });
  if (!(FILL_MODELS as readonly string[]).includes(o.fill))
    throw new UsageError(`--fill: expected ${FILL_MODELS.join('|')}, got "${o.fill}"`);
  if (entry !== undefined && req.strategy !== 'ma-crossover')
    throw new UsageError('--entry applies to --strategy ma-crossover only');
  if (o.simulate !== undefined && !(MODEL_KINDS as readonly string[]).includes(o.simulate)) {
    throw new UsageError(`--simulate: expected ${MODEL_KINDS.join('|')}, got "${o.simulate}"`);
  }
  if (o.scenario !== undefined && o.on === undefined)
    throw new UsageError('--scenario needs --on DATE (when the event hits)');
  if (o.on !== undefined && o.scenario === undefined) throw new UsageError('--on needs --scenario NAME');
  return {
    ...req,
    params: entry === undefined ? (req.params ?? {}) : { ...req.params, entry },
    engine: {
      fill: o.fill as FillModel,
      initialCash: num('--cash', o.cash, (v) => v > 0),
      costs: {
        feeBps: num('--fee-bps', o.feeBps, nonNegative) ?? 0,
        feeFixed: num('--fee-fixed', o.feeFixed, nonNegative) ?? 0,
        slippageBps: num('--slippage-bps', o.slippageBps, nonNegative) ?? 0,
      },
      stopLoss: num('--stop-loss', o.stopLoss, fraction),
      takeProfit: num('--take-profit', o.takeProfit, (v) => v > 0),
      maxDrawdown: num('--max-drawdown', o.maxDrawdown, fraction),
    },
    maxExposure: num('--max-exposure', o.maxExposure, (v) => v > 0),
    simulate:
      o.simulate === undefined
        ? undefined
        : {
            model: o.simulate as ModelKind,
            paths: num('--paths', o.paths, positiveInt) ?? 100,
            seed: num('--seed', o.seed, Number.isInteger) ?? 1,
            block: num('--block', o.block, positiveInt),
          },
    scenario: o.scenario === undefined || o.on === undefined ? undefined : { name: o.scenario, on: o.on },
    store: o.store,
  };
}

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
    .option('--params <json>', 'strategy parameters as JSON, e.g. \'{"fast":10,"slow":30}\'')
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
