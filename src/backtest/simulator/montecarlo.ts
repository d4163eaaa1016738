import { ValidationError } from '../../core/errors.ts';
import { type BacktestOptions, backtest } from '../backtest.ts';
import type { Metrics } from '../metrics.ts';
import type { BarColumns, StrategyFactory } from '../types.ts';
import { applyEvent, type MarketEvent } from './events.ts';
import { type MarketModel, simulateMarket } from './models.ts';

interface Percentiles {
  p5: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
  mean: number;
}

export type MetricDistribution = Partial<Record<keyof Metrics, Percentiles>>;

export interface MonteCarloOptions {
  model: MarketModel;
  factory: StrategyFactory;
  params?: Record<string, unknown>;
  /** Timestamps of each simulated path (e.g. the history's, or a generated calendar). */
  ts: Float64Array;
  /** Start price per symbol. */
  start: readonly number[];
  paths: number;
  seed: number;
  events?: readonly MarketEvent[];
  engine?: BacktestOptions;
}

export interface MonteCarloResult {
  paths: number;
  seed: number;
  metrics: MetricDistribution;
  benchmark: MetricDistribution;
  duration_ms: number;
}

/** Linear-interpolated percentile (q in [0, 1]) of sorted values. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo] ?? Number.NaN;
  return a + ((sorted[hi] ?? a) - a) * (pos - lo);
}

function distribution(samples: readonly Metrics[]): MetricDistribution {
  const out: MetricDistribution = {};
  const first = samples[0];
  if (first === undefined) return out;
  for (const key of Object.keys(first) as Array<keyof Metrics>) {
    const v = Float64Array.from(samples, (m) => m[key])
      .filter(Number.isFinite)
      .sort();
    let s = 0;
    for (const x of v) s += x;
    out[key] = {
      p5: percentile(v, 0.05),
      p25: percentile(v, 0.25),
      p50: percentile(v, 0.5),
      p75: percentile(v, 0.75),
      p95: percentile(v, 0.95),
      mean: s / v.length,
    };
  }
  return out;
}

/** Path p's seed: distinct, reproducible streams per path from one user seed. */
export function pathSeed(seed: number, path: number): number {
  return (seed + Math.imul(path + 1, 0x9e3779b1)) >>> 0;
}

/** Runs the strategy (and buy-and-hold) over `paths` simulated markets; metrics as percentiles. */
export function monteCarlo(o: MonteCarloOptions): MonteCarloResult {
  if (!(Number.isInteger(o.paths) && o.paths > 0))
    throw new ValidationError(`paths must be a positive integer, got ${o.paths}`);
  const t0 = performance.now();
  const strat: Metrics[] = [];
  const bench: Metrics[] = [];
  for (let p = 0; p < o.paths; p++) {
    let market: BarColumns[] = simulateMarket(o.model, o.ts, o.start, pathSeed(o.seed, p));
    for (const e of o.events ?? []) market = applyEvent(market, e);
    const out = backtest(market, o.factory(o.params), o.engine);
    strat.push(out.metrics);
    bench.push(out.benchmark.metrics);
  }
  return {
    paths: o.paths,
    seed: o.seed,
    metrics: distribution(strat),
    benchmark: distribution(bench),
    duration_ms: performance.now() - t0,
  };
}
