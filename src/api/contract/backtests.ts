import { z } from 'zod';
import { AdjustMode, errorResponses, Ticker } from './common.ts';

/**
 * The backtests resource (`/api/backtests`): the request a client sends to run one, the stored runs it lists
 * and reads back. The route validates with these schemas, the OpenAPI document shows them, the dashboard
 * imports their types and `marketpipe backtest` parses its flags with `BacktestRunBody`.
 */

/** A built-in strategy name (the CLI also loads modules from files; over HTTP the pattern admits no path). */
const StrategyName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a built-in strategy name (lower-case letters, digits, -)')
  .describe('e.g. ma-crossover');

/** Bar intervals a backtest runs on. */
const BacktestInterval = z.enum(['1h', '4h', '1d']);

/** ma-crossover's first position: on a cross of the averages (cross) or the state they start in (state). */
export const MaEntry = z.enum(['cross', 'state'], { error: 'expected cross|state' });

/** Default `adjust` of a backtest: a backtest on raw prices reads a split as a crash. */
const DEFAULT_BACKTEST_ADJUST = 'split' satisfies AdjustMode;

/** `POST /api/backtests`. */
export const BacktestRunBody = z.strictObject({
  strategy: StrategyName,
  symbols: z.array(Ticker).min(1).max(20),
  from: z.string().max(40).optional().describe('ISO date/time; default: all stored history'),
  to: z.string().max(40).optional(),
  interval: BacktestInterval.optional().describe('default 1d'),
  adjust: AdjustMode.default(DEFAULT_BACKTEST_ADJUST).describe(
    'split/dividend adjustment of the bars, applied when read (analytics/adjust.ts): split = splits only, adjusted = splits and dividends, total-return = adjusted anchored at the first bar. Default split (a backtest on raw prices reads a split as a crash); raw for prices as traded',
  ),
  params: z.record(z.string(), z.unknown()).optional().describe("the strategy's parameters"),
  entry: MaEntry.optional().describe(
    'ma-crossover only: first position on a cross of the averages (cross) or on the state they start in (state); default cross',
  ),
});
/** What a client sends (defaults may be left out). */
export type BacktestRunBody = z.input<typeof BacktestRunBody>;

/** `GET /api/backtests`. */
const BacktestListQuery = z.object({
  strategy: StrategyName.optional(),
  symbol: Ticker.optional().describe('runs that traded it'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** `GET /api/backtests/:id`. */
const BacktestParams = z.object({ id: z.coerce.number().int().min(1) });

/**
 * A run's metrics (backtest/metrics.ts); fractions, not percent. Stored runs keep non-finite values (an
 * infinite profit factor) as null.
 */
const metric = z.number().nullable().optional();
const BacktestMetrics = z.object({
  total_return: metric,
  cagr: metric,
  volatility: metric,
  sharpe: metric,
  sortino: metric,
  calmar: metric,
  /** Largest peak-to-trough fall, as a positive fraction. */
  max_drawdown: metric,
  max_drawdown_bars: metric,
  max_drawdown_days: metric,
  trades: metric,
  win_rate: metric,
  profit_factor: metric,
  /** Mean net P&L per closed trade (account currency). */
  expectancy: metric,
  /** Share of steps with any position open. */
  exposure: metric,
  /** Traded notional per year divided by mean equity. */
  turnover: metric,
  periods_per_year: metric,
  years: metric,
});
export type BacktestMetrics = z.infer<typeof BacktestMetrics>;

/** The conventions a run's numbers depend on (backtest/conventions.ts); null on runs stored before them. */
const BacktestConventions = z.object({
  fill: z.string().optional(),
  fee_bps: z.number().optional(),
  fee_on: z.string().optional(),
  fee_fixed: z.number().optional(),
  slippage_bps: z.number().optional(),
  fractional_shares: z.boolean().optional(),
  sharpe_annualisation: z.string().optional(),
  periods_per_year: z.number().optional(),
  periods_per_year_from: z.string().optional(),
  initial_cash: z.number().optional(),
});

/** A closed trade. */
const BacktestTrade = z.object({
  symbol: z.string(),
  entry_ts: z.string(),
  exit_ts: z.string(),
  qty: z.number(),
  entry_price: z.number(),
  exit_price: z.number(),
  pnl: z.number(),
  return_pct: z.number(),
  bars: z.number(),
});
export type BacktestTrade = z.infer<typeof BacktestTrade>;

/** The equity curve, thinned to ≤ 2000 points: epoch ms, strategy equity, buy-and-hold benchmark equity. */
const EquityCurve = z.object({
  ts: z.array(z.number()),
  equity: z.array(z.number()),
  benchmark: z.array(z.number()).optional(),
});

/** The answer to `POST /api/backtests` (id null when the run was not stored). */
const BacktestRunResult = z.object({
  id: z.number().int().nullable(),
  strategy: z.string(),
  symbols: z.array(z.string()),
  interval: z.string(),
  from: z.string(),
  to: z.string(),
  mode: z.enum(['historical', 'simulated']),
  adjust: AdjustMode,
  params: z.record(z.string(), z.unknown()),
  /** Historical: the run's metrics. Simulated: the median (p50) of each metric over the paths. */
  metrics: BacktestMetrics,
  benchmark: BacktestMetrics,
  final_equity: z.number(),
  fills: z.number(),
  /** When and at which drawdown the risk limit stopped the run. */
  halted: z.object({ ts: z.string(), drawdown: z.number() }).nullable(),
  scenario: z
    .object({
      name: z.string(),
      on: z.string(),
      impacts: z.record(z.string(), z.number()),
      shapes: z.record(z.string(), z.array(z.number()).readonly()),
    })
    .nullable(),
  /** Simulated runs: the distribution of each metric over the paths. */
  simulation: z
    .object({
      model: z.string(),
      paths: z.number(),
      seed: z.number(),
      metrics: z.unknown(),
      benchmark: z.unknown(),
      duration_ms: z.number(),
    })
    .nullable(),
  /** Closed trades (for a simulated run: those of path 0). */
  trades: z.array(BacktestTrade),
  conventions: BacktestConventions,
  duration_ms: z.number(),
});
export type BacktestRunResult = z.infer<typeof BacktestRunResult>;

/** One stored run in `GET /api/backtests` (no curve, trades or fills). */
const BacktestListItem = z.object({
  id: z.number().int(),
  strategy: z.string(),
  symbols: z.array(z.string()),
  interval: z.string(),
  mode: z.string(),
  adjust: AdjustMode,
  from: z.string(),
  to: z.string(),
  created_at: z.string(),
  params: z.record(z.string(), z.unknown()),
  metrics: BacktestMetrics,
  benchmark: BacktestMetrics.nullable(),
  conventions: BacktestConventions.nullable(),
});
export type BacktestListItem = z.infer<typeof BacktestListItem>;

const BacktestList = z.object({ runs: z.array(BacktestListItem) });
export type BacktestList = z.infer<typeof BacktestList>;

/** `GET /api/backtests/:id`: a stored run with its curve, trades and signals; times in epoch ms. */
const BacktestRun = z.object({
  id: z.number().int(),
  strategy: z.string(),
  symbols: z.array(z.string()),
  interval: z.string(),
  from: z.number(),
  to: z.number(),
  createdAt: z.number(),
  mode: z.string(),
  adjust: AdjustMode,
  params: z.record(z.string(), z.unknown()),
  config: z.record(z.string(), z.unknown()),
  metrics: BacktestMetrics,
  benchmark: BacktestMetrics.nullable().optional(),
  simulation: z.record(z.string(), z.unknown()).nullable().optional(),
  scenario: z.record(z.string(), z.unknown()).nullable().optional(),
  equity: EquityCurve.nullable().optional(),
  trades: z.array(BacktestTrade),
  /** The orders the strategy placed, epoch ms. */
  signals: z
    .array(
      z.object({
        ts: z.number(),
        symbol: z.string(),
        side: z.enum(['buy', 'sell']),
        qty: z.number(),
        price: z.number(),
        fee: z.number(),
        reason: z.string(),
      }),
    )
    .optional(),
  conventions: BacktestConventions.nullable(),
});
export type BacktestRun = z.infer<typeof BacktestRun>;

/** Route schemas (OpenAPI document, validation, serialisation). */
export const backtestRoutes = {
  run: {
    summary: 'Run a backtest of a built-in strategy on stored bars; stored, answered with its id',
    tags: ['backtest'],
    body: BacktestRunBody,
    response: { 200: BacktestRunResult, ...errorResponses },
  },
  list: {
    summary: 'Stored backtest runs, newest first, with their metrics and conventions (no curves or trades)',
    tags: ['backtest'],
    querystring: BacktestListQuery,
    response: { 200: BacktestList, ...errorResponses },
  },
  get: {
    summary: 'A stored backtest run with its trades and signals',
    tags: ['backtest'],
    params: BacktestParams,
    response: { 200: BacktestRun, ...errorResponses },
  },
} as const;
