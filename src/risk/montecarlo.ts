/**
 * Monte Carlo Value at Risk of a portfolio over a horizon. Each simulation mixes three sources of loss:
 *
 * 1. correlated normal shocks: rᵢ = σᵢ·√bᵢ · (L·z)ᵢ, with L the Cholesky factor of the correlation matrix
 *    (repaired to the nearest PSD correlation matrix when needed), σᵢ each asset's volatility per daily bar
 *    and bᵢ = h · periodsPerYearᵢ / 365 the daily bars of asset i in a horizon of h CALENDAR days (√t
 *    scaling on each instrument's own calendar: 30 days are 30 bars of BTC but 30·252/365 ≈ 20.7 of SPY);
 * 2. stress scenarios: with probability 1 − exp(−p·w·h/365) per scenario (p annual probability, w weight)
 *    one scenario holds for the simulation; its impacts are added to the shocks, its volatility multiplier
 *    scales σ and its correlation shift changes the correlation matrix;
 * 3. historical depegs: each asset with observed depeg events suffers one, drawn uniformly from its
 *    history, with probability 1 − exp(−events/observedDays·h); the price falls to at most the event's low.
 *
 * VaR_α is the α-quantile of the loss (positive = money lost); CVaR_α (expected shortfall) the mean loss
 * beyond it. Losses are summarised in a streaming LossDistribution, so memory does not grow with the
 * number of simulations.
 */
import { ValidationError } from '../core/errors.ts';
import type { Portfolio } from '../core/portfolio.ts';
import type { Scenario } from '../core/scenario.ts';
import type { VarRecord } from '../core/var-record.ts';
import { choleskyRepaired, shiftCorrelation, validateCorrelation } from './linalg.ts';
import {
  DEFAULT_EXACT_CAPACITY,
  LossDistribution,
  type LossDistributionOptions,
} from './loss-distribution.ts';
import { portfolioAssets } from './portfolio.ts';
import { Rng } from './rng.ts';
import { scenarioHorizonProbability, scenarioReturns } from './scenarios.ts';

/** Volatilities and correlations of a set of assets. */
export interface MarketModel {
  assets: readonly string[];
  /** Daily volatility (standard deviation of daily-bar returns) per asset, e.g. 0.035 for BTC. */
  dailyVol: ArrayLike<number>;
  /**
   * Daily bars a year per asset, from its calendar (HORIZON_PERIODS_PER_YEAR: 252 exchange-traded, 365
   * crypto and stablecoins, 260 FX). @defaultValue 365 for every asset
   */
  periodsPerYear?: ArrayLike<number>;
  /** Row-major n × n correlation matrix of daily returns. */
  correlation: ArrayLike<number>;
  /** Peg per asset (1 for USD stablecoins), null when the asset floats. */
  pegs: readonly (number | null)[];
}

interface DepegEvent {
  asset: string;
  /** Lowest price during the event, in units of the peg currency. */
  minPrice: number;
}

export interface DepegHistory {
  events: readonly DepegEvent[];
  /** Length of the history the events come from, in days (their frequency is events / observedDays). */
  observedDays: number;
}

export interface MonteCarloOptions {
  /** Horizon in calendar days (each asset's bars in it follow its calendar). @defaultValue 30 */
  horizonDays?: number;
  /** Fixed number of simulations; when absent, `adaptiveSimulationCount(baseSimulations, vol)`. */
  simulations?: number;
  /** @defaultValue 10000 */
  baseSimulations?: number;
  /** @defaultValue 1 */
  seed?: number;
  depegs?: DepegHistory;
  /** Scenarios to mix in; disabled ones are ignored. */
  scenarios?: readonly Scenario[];
  distribution?: LossDistributionOptions;
}

/** How a VaR number was made, stated with every VaR output (CLI, API, report). */
export interface VarConventions {
  method: 'monte_carlo';
  /** Ordinary market: correlated normal returns; plus stress scenarios and historical depegs. */
  distribution: 'correlated_normal_with_scenarios_and_depegs';
  horizon_days: number;
  horizon_unit: 'calendar_days';
  /** σ over the horizon = σ per daily bar × √(bars in the horizon). */
  scaling: 'sqrt_time';
  /** Daily bars a year per asset (its calendar). */
  periods_per_year: Record<string, number>;
  /** Daily bars of each asset inside the horizon: horizon_days × periods_per_year / 365. */
  horizon_bars: Record<string, number>;
  /** portfolio_volatility: √(wᵀ Σ w) of per-asset annual volatilities σᵢ·√periods_per_yearᵢ. */
  volatility_annualisation: 'sqrt_periods_per_year_per_asset';
  confidence: [0.95, 0.99];
}

export interface VarResult extends VarRecord {
  /** Annualised volatility of the exposure-weighted portfolio return (drives the adaptive count). */
  portfolio_volatility: number;
  correlation_repaired: boolean;
  /** Simulations in which a scenario held, by scenario name. */
  scenario_hits: Record<string, number>;
  depeg_hits: number;
  conventions: VarConventions;
}

/** Days in a year against which calendar-day horizons are measured. */
const CALENDAR_DAYS = 365;

/** Simulation count scaled by annualised portfolio volatility: <2 % ×1, 2–5 % ×1.5, 5–10 % ×2, >10 % ×3. */
export function adaptiveSimulationCount(base: number, annualVol: number): number {
  const m = annualVol < 0.02 ? 1 : annualVol < 0.05 ? 1.5 : annualVol < 0.1 ? 2 : 3;
  return Math.round(base * m);
}

/** Picks the rows/columns of `model` for `assets`; throws naming an asset the model lacks. */
function subModel(model: MarketModel, assets: readonly string[]) {
  const n = model.assets.length;
  validateCorrelation(model.correlation, n);
  if (model.dailyVol.length !== n)
    throw new ValidationError(`dailyVol has ${model.dailyVol.length} entries, expected ${n}`);
  const idx = assets.map((a) => {
    const i = model.assets.indexOf(a);
    if (i < 0) throw new ValidationError(`market model has no volatility/correlation for asset ${a}`);
    return i;
  });
  const m = idx.length;
  const corr = new Float64Array(m * m);
  const vol = new Float64Array(m);
  idx.forEach((gi, i) => {
    const v = model.dailyVol[gi] ?? Number.NaN;
    if (!Number.isFinite(v) || v < 0) throw new ValidationError(`daily volatility of ${assets[i]} is ${v}`);
    vol[i] = v;
    idx.forEach((gj, j) => {
      corr[i * m + j] = model.correlation[gi * n + gj] ?? 0;
    });
  });
  const pegs = idx.map((gi) => model.pegs[gi] ?? null);
  const ppy = Float64Array.from(idx, (gi, i) => {
    const p = model.periodsPerYear?.[gi] ?? CALENDAR_DAYS;
    if (!(p > 0 && p <= CALENDAR_DAYS * 24 * 60))
      throw new ValidationError(`periods per year of ${assets[i]} is ${p}`);
    return p;
  });
  return { corr, vol, pegs, ppy };
}

/**
 * Annualised volatility of Σ wᵢ rᵢ with wᵢ = exposureᵢ / Σ exposure: each asset's daily-bar volatility is
 * annualised on its own calendar (σᵢ·√periodsPerYearᵢ, 252 for SPY, 365 for BTC) before they are combined.
 * @param periodsPerYear per asset; @defaultValue 365 for every asset
 */
export function portfolioVolatility(
  weights: ArrayLike<number>,
  dailyVol: ArrayLike<number>,
  corr: ArrayLike<number>,
  periodsPerYear?: ArrayLike<number>,
): number {
  const n = weights.length;
  const annual = Float64Array.from(
    { length: n },
    (_, i) => (dailyVol[i] ?? 0) * Math.sqrt(periodsPerYear?.[i] ?? CALENDAR_DAYS),
  );
  let v = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      v +=
        (weights[i] ?? 0) * (weights[j] ?? 0) * (annual[i] ?? 0) * (annual[j] ?? 0) * (corr[i * n + j] ?? 0);
  return Math.sqrt(Math.max(0, v));
}

/** Packed lower triangle of L scaled row-wise by `scale[i]`: entry (i, k ≤ i) at i(i+1)/2 + k. */
function packScaled(l: Float64Array, n: number, scale: ArrayLike<number>): Float64Array {
  const out = new Float64Array((n * (n + 1)) / 2);
  let p = 0;
  for (let i = 0; i < n; i++) for (let k = 0; k <= i; k++) out[p++] = (l[i * n + k] ?? 0) * (scale[i] ?? 0);
  return out;
}

export function monteCarloVar(
  portfolio: Portfolio,
  model: MarketModel,
  options: MonteCarloOptions = {},
): VarResult {
  const horizon = options.horizonDays ?? 30;
  const seed = options.seed ?? 1;
  if (!(horizon > 0)) throw new ValidationError(`horizon must be positive days, got ${horizon}`);
  const assets = portfolioAssets(portfolio);
  const n = assets.length;
  if (n === 0) throw new ValidationError('portfolio has no positions');
  const { corr, vol, pegs, ppy } = subModel(model, assets);
  // σ over the horizon per asset: daily-bar σ × √(its bars in `horizon` calendar days).
  const bars = ppy.map((p) => (horizon * p) / CALENDAR_DAYS);
  const volH = vol.map((v, i) => v * Math.sqrt(bars[i] ?? 0));

  const coverage = new Float64Array(n);
  const holding = new Float64Array(n);
  for (const p of portfolio.positions) {
    const i = assets.indexOf(p.asset);
    if (p.kind === 'coverage') coverage[i] = (coverage[i] ?? 0) + p.exposure;
    else holding[i] = (holding[i] ?? 0) + p.exposure;
  }
  let gross = 0;
  for (let i = 0; i < n; i++) gross += (coverage[i] ?? 0) + (holding[i] ?? 0);
  const weights = Float64Array.from(
    { length: n },
    (_, i) => ((coverage[i] ?? 0) + (holding[i] ?? 0)) / (gross || 1),
  );
  const annualVol = portfolioVolatility(weights, vol, corr, ppy);
  const sims = options.simulations ?? adaptiveSimulationCount(options.baseSimulations ?? 10_000, annualVol);
  if (!Number.isInteger(sims) || sims < 1)
    throw new ValidationError(`simulations must be a positive integer, got ${sims}`);

  // Regime 0 is the ordinary market; regime s+1 is scenario s.
  const base = choleskyRepaired(corr, n);
  let repaired = base.repaired;
  const baseFactor = packScaled(base.factor, n, volH);
  const noImpact = new Float64Array(n);
  const factors: Float64Array[] = [baseFactor];
  const impacts: Float64Array[] = [noImpact];
  const cumulative: number[] = [];
  const active = (options.scenarios ?? []).filter(
    (s) => s.enabled && scenarioHorizonProbability(s, horizon) > 0,
  );
  let cum = 0;
  for (const s of active) {
    const shifted =
      s.correlationShift === 0
        ? base
        : choleskyRepaired(shiftCorrelation(base.correlation, n, s.correlationShift), n);
    repaired ||= shifted.repaired;
    factors.push(
      packScaled(
        shifted.factor,
        n,
        volH.map((v) => v * s.volatilityMultiplier),
      ),
    );
    impacts.push(scenarioReturns(s, assets, pegs).map((x) => (Number.isNaN(x) ? 0 : x)));
    cum += scenarioHorizonProbability(s, horizon);
    cumulative.push(cum);
  }
  // Scenarios are mutually exclusive within one simulation; rescale if their chances sum above 1.
  if (cum > 1) for (let i = 0; i < cumulative.length; i++) cumulative[i] = (cumulative[i] ?? 0) / cum;

  /** Per asset with depeg history: its index, the chance of a depeg within the horizon, observed returns. */
  const depegs: { asset: number; prob: number; returns: Float64Array }[] = [];
  const history = options.depegs;
  if (history && history.events.length > 0) {
    if (!(history.observedDays > 0))
      throw new ValidationError(`depeg history needs observedDays > 0, got ${history.observedDays}`);
    assets.forEach((a, i) => {
      const evs = history.events.filter((e) => e.asset === a);
      if (evs.length === 0) return;
      const peg = pegs[i] ?? 1;
      depegs.push({
        asset: i,
        prob: 1 - Math.exp((-evs.length / history.observedDays) * horizon),
        returns: Float64Array.from(evs, (e) => e.minPrice / peg - 1),
      });
    });
  }

  const rng = new Rng(seed);
  // Never allocate a bigger exact buffer than the simulations can fill (1 MB zeroed per call otherwise).
  const dist = new LossDistribution({
    ...options.distribution,
    exactCapacity: Math.min(options.distribution?.exactCapacity ?? DEFAULT_EXACT_CAPACITY, sims),
  });
  const z = new Float64Array(n);
  const r = new Float64Array(n);
  const hits = new Float64Array(active.length + 1);
  let depegHits = 0;
  const nScen = cumulative.length;
  const t0 = performance.now();
  for (let sim = 0; sim < sims; sim++) {
    let regime = 0;
    if (nScen > 0) {
      const u = rng.uniform();
      for (let s = 0; s < nScen; s++) {
        if (u < (cumulative[s] ?? 0)) {
          regime = s + 1;
          break;
        }
      }
    }
    hits[regime] = (hits[regime] ?? 0) + 1;
    const f = factors[regime] ?? baseFactor;
    const imp = impacts[regime] ?? noImpact;
    rng.fillNormal(z, 0, n);
    let p = 0;
    for (let i = 0; i < n; i++) {
      let acc = imp[i] ?? Number.NaN;
      for (let k = 0; k <= i; k++) acc += (f[p++] ?? Number.NaN) * (z[k] ?? Number.NaN);
      r[i] = acc;
    }
    for (const dp of depegs) {
      if (rng.uniform() < dp.prob) {
        // uniform() is in (0, 1), so the index is inside the non-empty returns list.
        const ev = dp.returns[Math.floor(rng.uniform() * dp.returns.length)] ?? 0;
        if (ev < (r[dp.asset] ?? 0)) r[dp.asset] = ev;
        depegHits++;
      }
    }
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const ri = r[i] ?? Number.NaN;
      const c = coverage[i] ?? 0;
      if (c !== 0 && ri < 0) loss += c * Math.min(1, -ri);
      const h = holding[i] ?? 0;
      if (h !== 0) loss -= h * Math.max(ri, -1);
    }
    dist.add(loss);
  }
  const var95 = dist.quantile(0.95);
  const var99 = dist.quantile(0.99);
  const cvar95 = dist.tailMean(0.95);
  const elapsed = performance.now() - t0;
  const scenarioHits: Record<string, number> = {};
  active.forEach((s, i) => {
    scenarioHits[s.name] = hits[i + 1] ?? 0;
  });
  return {
    var_95: var95,
    var_99: var99,
    cvar_95: cvar95,
    expected_loss: dist.mean,
    worst_case: dist.max,
    best_case: dist.min,
    scenarios_used: active.length,
    simulations: sims,
    simulation_time_ms: elapsed,
    horizon_days: horizon,
    seed,
    portfolio_volatility: annualVol,
    correlation_repaired: repaired,
    scenario_hits: scenarioHits,
    depeg_hits: depegHits,
    conventions: {
      method: 'monte_carlo',
      distribution: 'correlated_normal_with_scenarios_and_depegs',
      horizon_days: horizon,
      horizon_unit: 'calendar_days',
      scaling: 'sqrt_time',
      periods_per_year: Object.fromEntries(assets.map((a, i) => [a, ppy[i] ?? CALENDAR_DAYS])),
      horizon_bars: Object.fromEntries(assets.map((a, i) => [a, bars[i] ?? horizon])),
      volatility_annualisation: 'sqrt_periods_per_year_per_asset',
      confidence: [0.95, 0.99],
    },
  };
}
