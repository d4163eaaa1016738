import { type EngineConfig, type EngineResult, runEngine } from './engine.ts';
import { computeMetrics, type Metrics } from './metrics.ts';
import { buyAndHold } from './strategies/buy-and-hold.ts';
import type { BarColumns, Strategy } from './types.ts';

export interface BacktestOutcome {
  result: EngineResult;
  metrics: Metrics;
  /** Equal-weight buy-and-hold of the same symbols, same costs and fill model. */
  benchmark: { equity: Float64Array; metrics: Metrics };
}

export interface BacktestOptions extends EngineConfig {
  periodsPerYear?: number;
  /** Skip the benchmark run (Monte Carlo inner loops). @defaultValue false */
  skipBenchmark?: boolean;
}

function metricsOf(r: EngineResult, periodsPerYear?: number): Metrics {
  return computeMetrics({
    ts: r.ts,
    equity: r.equity,
    trades: r.trades,
    exposure: r.exposure,
    tradedNotional: r.tradedNotional,
    periodsPerYear,
    initialEquity: r.initialCash,
  });
}

/** Runs a strategy and its buy-and-hold benchmark over the same bars and computes both metric sets. */
export function backtest(
  series: readonly BarColumns[],
  strategy: Strategy,
  options: BacktestOptions = {},
): BacktestOutcome {
  const result = runEngine(series, strategy, options);
  const metrics = metricsOf(result, options.periodsPerYear);
  if (options.skipBenchmark) return { result, metrics, benchmark: { equity: result.equity, metrics } };
  const { stopLoss: _s, takeProfit: _t, maxDrawdown: _d, exposureLimit: _e, ...plain } = options;
  const bench = runEngine(series, buyAndHold(), plain);
  return {
    result,
    metrics,
    benchmark: { equity: bench.equity, metrics: metricsOf(bench, options.periodsPerYear) },
  };
}
