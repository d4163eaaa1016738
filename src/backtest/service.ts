/**
 * Backtest service: reads stored bars (raw, or adjusted for splits and dividends when read), runs a strategy
 * on them (or on simulated markets calibrated to them), optionally injects a stress scenario, stores the run
 * and returns it in the CLI/API JSON shape.
 */
import { ADJUST_MODES, type AdjustMode, isAdjustMode } from '../analytics/adjust.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { parseTime, toIso } from '../core/time.ts';
import type { Interval } from '../core/types.ts';
import { KNOWN_PEGS } from '../risk/scenarios.ts';
import type { Db } from '../store/db.ts';
import { resolveRange } from '../store/repos/bars.ts';
import { getInstrument } from '../store/repos/instruments.ts';
import { listScenarios, storedDepegEvents } from '../store/repos/risk.ts';
import {
  getRun,
  insertRun,
  listRuns,
  type RunRow,
  type SignalRow,
  upsertDefinition,
} from '../store/repos/strategies.ts';
import { backtest } from './backtest.ts';
import { type BacktestConventions, conventionsOf } from './conventions.ts';
import type { EngineConfig, EngineResult } from './engine.ts';
import type { Metrics } from './metrics.ts';
import { loadSeries } from './series-reader.ts';
import { applyEvent, type MarketEvent } from './simulator/events.ts';
import {
  calibrate,
  commonLogReturns,
  correlationOf,
  MODEL_KINDS,
  type ModelKind,
  simulateMarket,
} from './simulator/models.ts';
import { type MetricDistribution, monteCarlo, pathSeed } from './simulator/montecarlo.ts';
import {
  type EventAsset,
  eventFromBuiltin,
  eventFromDepeg,
  eventFromStoredScenario,
} from './simulator/scenario-event.ts';
import { BUILTIN_SCENARIOS } from './simulator/scenarios.ts';
import { resolveStrategy } from './strategies/index.ts';
import { type BarColumns, DEFAULT_BACKTEST_ADJUST, type Trade } from './types.ts';

// Declared beside the backtest types so the CLI can show it in `--help` without loading the engine.
{
  DEFAULT_BACKTEST_ADJUST;
}

export interface BacktestRequest {
  /** Built-in name (`ma-crossover`…) or a path to a TypeScript strategy module. */
  strategy: string;
  symbols: string[];
  /** ISO date/time; default: all stored history. */
  from?: string;
  to?: string;
  /** @defaultValue '1d' */
  interval?: Interval;
  /**
   * Split/dividend adjustment of the stored bars, applied when read (analytics/adjust.ts: `raw`, `split`,
   * `adjusted`, `total-return`). Instruments without stored splits or dividends (crypto, FX) read the same in
   * every mode. Fills, trades and equity are in the adjusted prices. @defaultValue 'raw'
   */
  adjust?: AdjustMode;
  params?: Record<string, unknown>;
  engine?: EngineConfig;
  /** Scale targets so √(wᵀCw) ≤ this, C = correlation of the symbols' log returns over the range. */
  maxExposure?: number;
  simulate?: { model: ModelKind; paths: number; seed: number; block?: number };
  /** Stored scenario name (risk.stress_scenarios), a built-in one, or `depeg:SYMBOL`; applied on `on`. */
  scenario?: { name: string; on: string };
  /** @defaultValue true */
  store?: boolean;
  now?: number;
}

interface TradeJson {
  symbol: string;
  entry_ts: string;
  exit_ts: string;
  qty: number;
  entry_price: number;
  exit_price: number;
  pnl: number;
  return_pct: number;
  bars: number;
}

export interface BacktestResponse {
  id: number | null;
  strategy: string;
  symbols: string[];
  interval: Interval;
  from: string;
  to: string;
  mode: 'historical' | 'simulated';
  /** How the bars were adjusted for splits and dividends (stored with the run as `config.adjust`). */
  adjust: AdjustMode;
  params: Record<string, unknown>;
  /** Historical: the run's metrics. Simulated: the median (p50) of each metric over the paths. */
  metrics: Metrics;
  benchmark: Metrics;
  final_equity: number;
  fills: number;
  halted: { ts: string; drawdown: number } | null;
  scenario: {
    name: string;
    on: string;
    impacts: Record<string, number>;
    shapes: Record<string, readonly number[]>;
  } | null;
  simulation: {
    model: ModelKind;
    paths: number;
    seed: number;
    metrics: MetricDistribution;
    benchmark: MetricDistribution;
    duration_ms: number;
  } | null;
  /** Closed trades (for a simulated run: those of path 0). */
  trades: TradeJson[];
  /** Fill model, costs, share rounding and annualisation the numbers above depend on. */
  conventions: BacktestConventions;
  duration_ms: number;
}

const MAX_EQUITY_POINTS = 2000;

function tradeJson(t: Trade): TradeJson {
  return {
    symbol: t.symbol,
    entry_ts: toIso(t.entryTs),
    exit_ts: toIso(t.exitTs),
    qty: t.qty,
    entry_price: t.entryPrice,
    exit_price: t.exitPrice,
    pnl: t.pnl,
    return_pct: t.returnPct,
    bars: t.bars,
  };
}

/** Every k-th point plus the last, at most MAX_EQUITY_POINTS. */
function thin(
  ts: Float64Array,
  equity: Float64Array,
  bench: Float64Array,
): { ts: number[]; equity: number[]; benchmark: number[] } {
  const stride = Math.max(1, Math.ceil(ts.length / MAX_EQUITY_POINTS));
  const out = { ts: [] as number[], equity: [] as number[], benchmark: [] as number[] };
  for (let k = 0; k < ts.length; k += stride) {
    out.ts.push(ts[k] ?? 0);
    out.equity.push(equity[k] ?? 0);
    out.benchmark.push(bench[k] ?? 0);
  }
  const last = ts.length - 1;
  if (last >= 0 && out.ts.at(-1) !== ts[last]) {
    out.ts.push(ts[last] ?? 0);
    out.equity.push(equity[last] ?? 0);
    out.benchmark.push(bench[last] ?? 0);
  }
  return out;
}

async function eventAssets(db: Db, symbols: readonly string[]): Promise<EventAsset[]> {
  const out: EventAsset[] = [];
  for (const symbol of symbols) {
    const row = await getInstrument(db, symbol);
    const peg = row?.pegTarget ?? (row?.assetClass === 'stablecoin' ? (KNOWN_PEGS[symbol] ?? 1) : null);
    out.push({ symbol, assetClass: row?.assetClass ?? null, peg });
  }
  return out;
}

function normalise(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/** Resolves a scenario name to a market event on `at`: stored scenario, `depeg:SYMBOL`, then built-in. */
async function scenarioEvent(
  db: Db,
  name: string,
  symbols: readonly string[],
  at: number,
): Promise<MarketEvent> {
  const assets = await eventAssets(db, symbols);
  const depeg = /^depeg:(.+)$/i.exec(name);
  if (depeg) {
    const symbol = (depeg[1] ?? '').toUpperCase();
    const asset = assets.find((a) => a.symbol === symbol);
    if (asset === undefined)
      throw new ValidationError(`scenario ${name}: ${symbol} is not among the backtest symbols`);
    const events = (await storedDepegEvents(db, [symbol])) ?? [];
    const worst = events.reduce<number | null>(
      (m, e) => (m === null || e.minPrice < m ? e.minPrice : m),
      null,
    );
    if (worst === null)
      throw new NotFoundError(`scenario ${name}: no stored depeg of ${symbol} (run analytics depegs first)`);
    return eventFromDepeg(symbol, worst, asset.peg ?? 1, at);
  }
  // Stored names have spaces and brackets ("Banking Crisis (SVB)"); `banking_crisis` or `Banking Crisis` match.
  const key = normalise(name);
  const all = await listScenarios(db);
  const stored =
    all.find((s) => normalise(s.name) === key) ??
    all.find((s) => key !== '' && normalise(s.name).startsWith(key));
  if (stored !== undefined) return eventFromStoredScenario(stored, assets, at);
  const builtin = BUILTIN_SCENARIOS[name];
  if (builtin !== undefined) return eventFromBuiltin(builtin, assets, at);
  const names = [
    ...(await listScenarios(db)).map((s) => s.name),
    ...Object.keys(BUILTIN_SCENARIOS),
    'depeg:SYMBOL',
  ];
  throw new NotFoundError(`unknown scenario "${name}" (have: ${names.join(', ')})`);
}

/** Timestamps every series has (the simulated calendar), ascending. */
function commonTimestamps(series: readonly BarColumns[]): Float64Array {
  const [first, ...rest] = series;
  if (first === undefined) return new Float64Array(0);
  const sets = rest.map((s) => new Set(s.ts));
  return first.ts.filter((t) => sets.every((set) => set.has(t)));
}

function median(dist: MetricDistribution, fallback: Metrics): Metrics {
  const out = { ...fallback };
  for (const key of Object.keys(out) as Array<keyof Metrics>) {
    const p = dist[key];
    if (p !== undefined) out[key] = p.p50;
  }
  return out;
}

/** Runs a backtest (historical or simulated), stores it unless `store: false`, and returns it. */
export async function runBacktest(db: Db, req: BacktestRequest): Promise<BacktestResponse> {
  const t0 = performance.now();
  if (req.symbols.length === 0) throw new ValidationError('backtest needs at least one symbol');
  const interval = req.interval ?? '1d';
  const adjust = req.adjust ?? DEFAULT_BACKTEST_ADJUST;
  // The CLI and the API check the mode first; this guards other callers (a typo must not mean `raw`).
  if (!isAdjustMode(adjust))
    throw new ValidationError(`adjust must be one of ${ADJUST_MODES.join(', ')}, got "${String(adjust)}"`);
  const params = req.params ?? {};
  const { factory, kind } = await resolveStrategy(req.strategy);
  const range = resolveRange({ from: req.from, to: req.to }, req.now ?? Date.now());
  let series = await loadSeries(db, req.symbols, interval, range, adjust);
  const engine: EngineConfig = { ...req.engine };
  if (req.maxExposure !== undefined) {
    engine.exposureLimit = {
      symbols: req.symbols,
      matrix: correlationOf(commonLogReturns(series)),
      max: req.maxExposure,
    };
  }
  let event: MarketEvent | null = null;
  let on = '';
  if (req.scenario !== undefined) {
    const at = parseTime(req.scenario.on, '--on');
    on = toIso(at);
    event = await scenarioEvent(db, req.scenario.name, req.symbols, at);
  }

  let result: EngineResult;
  let metrics: Metrics;
  let benchmark: Metrics;
  let benchEquity: Float64Array;
  let simulation: BacktestResponse['simulation'] = null;
  if (req.simulate === undefined) {
    if (event !== null) series = applyEvent(series, event);
    const out = backtest(series, factory(params), engine);
    ({ result, metrics } = out);
    benchmark = out.benchmark.metrics;
    benchEquity = out.benchmark.equity;
  } else {
    const sim = req.simulate;
    if (!(MODEL_KINDS as readonly string[]).includes(sim.model))
      throw new ValidationError(`--simulate must be one of ${MODEL_KINDS.join(', ')}`);
    const model = calibrate(series, sim.model, { block: sim.block });
    const ts = commonTimestamps(series);
    const start = series.map((s) => s.close[s.ts.indexOf(ts[0] ?? Number.NaN)] ?? 100);
    const events = event === null ? [] : [event];
    const mc = monteCarlo({
      model,
      factory,
      params,
      ts,
      start,
      paths: sim.paths,
      seed: sim.seed,
      events,
      engine,
    });
    // Path 0 again in full, for the equity curve, trades and fills kept with the run.
    let market = simulateMarket(model, ts, start, pathSeed(sim.seed, 0));
    if (event !== null) market = applyEvent(market, event);
    const out = backtest(market, factory(params), engine);
    result = out.result;
    benchEquity = out.benchmark.equity;
    metrics = median(mc.metrics, out.metrics);
    benchmark = median(mc.benchmark, out.benchmark.metrics);
    simulation = {
      model: sim.model,
      paths: sim.paths,
      seed: sim.seed,
      metrics: mc.metrics,
      benchmark: mc.benchmark,
      duration_ms: mc.duration_ms,
    };
  }

  const from = result.ts[0] ?? range.from;
  const to = result.ts[result.ts.length - 1] ?? range.to;
  const response: BacktestResponse = {
    id: null,
    strategy: req.strategy,
    symbols: req.symbols,
    interval,
    from: toIso(from),
    to: toIso(to),
    mode: simulation === null ? 'historical' : 'simulated',
    adjust,
    params,
    metrics,
    benchmark,
    final_equity: result.equity[result.equity.length - 1] ?? result.initialCash,
    fills: result.fills.length,
    halted: result.halted === null ? null : { ts: toIso(result.halted.ts), drawdown: result.halted.drawdown },
    scenario:
      event === null
        ? null
        : { name: event.name, on, impacts: event.impacts ?? {}, shapes: event.shapes ?? {} },
    simulation,
    trades: result.trades.map(tradeJson),
    conventions: conventionsOf(engine, metrics.periods_per_year),
    duration_ms: 0,
  };
  if (req.store ?? true) {
    await upsertDefinition(db, { name: req.strategy, kind, params });
    const signals: SignalRow[] = result.fills.map((f) => ({ ...f }));
    response.id = await insertRun(
      db,
      {
        strategy: req.strategy,
        symbols: req.symbols,
        interval,
        from,
        to,
        params,
        config: {
          ...engine,
          exposureLimit: req.maxExposure === undefined ? undefined : { max: req.maxExposure },
          adjust,
          conventions: response.conventions,
        },
        mode: response.mode,
        simulation: simulation === null ? null : { ...simulation },
        scenario: response.scenario,
        metrics: { ...metrics },
        benchmark: { ...benchmark },
        equity: thin(result.ts, result.equity, benchEquity),
        trades: response.trades,
      },
      signals,
    );
  }
  response.duration_ms = Math.round(performance.now() - t0);
  return response;
}

/** The price adjustment a stored run used: `config.adjust`, absent (hence `raw`) on runs stored before it. */
export function storedAdjust(config: Readonly<Record<string, unknown>>): AdjustMode {
  const v = config.adjust;
  return typeof v === 'string' && isAdjustMode(v) ? v : 'raw';
}

/**
 * The conventions a stored run used (`config.conventions`), or null for runs stored before runs recorded
 * them — not guessed, since the fill model and costs of those runs are only partly in their config.
 */
export function storedConventions(config: Readonly<Record<string, unknown>>): BacktestConventions | null {
  const v = config.conventions;
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as BacktestConventions) : null;
}

/** A stored run with its fills, its price adjustment and its conventions, or NotFoundError. */
export async function getBacktest(
  db: Db,
  id: number,
): Promise<RunRow & { adjust: AdjustMode; conventions: BacktestConventions | null }> {
  const run = await getRun(db, id, { withSignals: true });
  if (run === null) throw new NotFoundError(`backtest ${id} not found`);
  return { ...run, adjust: storedAdjust(run.config), conventions: storedConventions(run.config) };
}

/** One stored run in a list (API `GET /api/backtests`): snake_case, without its curve, trades and fills. */
export interface BacktestListItem {
  id: number;
  strategy: string;
  symbols: string[];
  interval: string;
  mode: 'historical' | 'simulated';
  adjust: AdjustMode;
  from: string;
  to: string;
  created_at: string;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  benchmark: Record<string, unknown> | null;
  conventions: BacktestConventions | null;
}

/** The newest stored runs, optionally of one strategy. */
export async function listBacktests(
  db: Db,
  options: { strategy?: string; symbol?: string; limit?: number } = {},
): Promise<BacktestListItem[]> {
  const runs = await listRuns(db, options);
  return runs.map((r) => ({
    id: r.id,
    strategy: r.strategy,
    symbols: r.symbols,
    interval: r.interval,
    mode: r.mode,
    adjust: storedAdjust(r.config),
    from: toIso(r.from),
    to: toIso(r.to),
    created_at: toIso(r.createdAt),
    params: r.params,
    metrics: r.metrics,
    benchmark: r.benchmark ?? null,
    conventions: storedConventions(r.config),
  }));
}
