/**
 * The correlation-regime model of the registry: P(high-correlation regime next week). Observations are
 * the average pairwise `window`-day correlation of the basket's daily returns and its dispersion
 * (regimes.ts). The event: the average correlation `horizon` trading days ahead is above `threshold`.
 * Model: a two-state HMM fitted on the past observations; its filtered state probabilities of today,
 * propagated `horizon` steps, mixed with each state's Gaussian P(average correlation > threshold).
 * Baseline (persistence): the training frequency of the event given whether today is above the threshold,
 * Laplace-smoothed. Both are clipped to [0.001, 0.999] and evaluated walk-forward on the same folds.
 */
import type { ClassifierMetrics } from './metrics.ts';
import { defaultBlockLength, pairedMetrics } from './metrics.ts';
import { correlationObservations, fitHmm2, type Hmm2, hmmFilter } from './regimes.ts';
import { type Fold, walkForward } from './walk-forward.ts';

const DAY_MS = 86_400_000;

export interface RegimeSpec {
  kind: 'hmm';
  /** The basket (at least two instruments), aligned on the days all of them trade. */
  assets: readonly string[];
  window: number;
  /** Trading days ahead (5 = next week). */
  horizon: number;
  threshold: number;
  minTrainDays: number;
  refitEveryDays: number;
}

export type FittedRegimes = {
  kind: 'hmm';
  assets: string[];
  window: number;
  horizon: number;
  threshold: number;
  hmm: Hmm2;
};

/** Aligned daily closes of the basket (same days for every asset). */
export interface Basket {
  assets: string[];
  ts: number[];
  closes: number[][];
}

interface RegimeSample {
  i: number;
  knownAt: number;
  labelAt: number;
  y: 0 | 1 | null;
}

/** Per observation day: [average correlation, dispersion] and the day it is known. */
function regimeObservations(b: Basket, window: number): { ts: number[]; xs: number[][] } {
  const rets = b.closes.map((c) =>
    Float64Array.from({ length: c.length - 1 }, (_, i) => Math.log((c[i + 1] as number) / (c[i] as number))),
  );
  const xs = correlationObservations(rets, window);
  // Observation k uses returns [k, k + window), the last realised on day ts[k + window].
  const ts = xs.map((_, k) => b.ts[k + window] as number);
  return { ts, xs };
}

// Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7).
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

const clip = (p: number) => Math.min(0.999, Math.max(0.001, p));

/** P(event) for every observation index from the filtered states (each uses observations ≤ its index). */
function hmmEventProbabilities(m: FittedRegimes, xs: readonly (readonly number[])[]): number[] {
  const { filtered } = hmmFilter(m.hmm, xs);
  const a = m.hmm.a;
  const above = [0, 1].map((s) => {
    const mu = (m.hmm.mean[s as 0 | 1][0] ?? 0) as number;
    const sd = Math.sqrt((m.hmm.variance[s as 0 | 1][0] ?? 1) as number);
    return 1 - normalCdf((m.threshold - mu) / sd);
  });
  return filtered.map((f) => {
    let p = f;
    for (let k = 0; k < m.horizon; k++) p = [p[0] * a[0] + p[1] * a[2], p[0] * a[1] + p[1] * a[3]];
    return clip(p[0] * (above[0] as number) + p[1] * (above[1] as number));
  });
}

function samplesOf(
  ts: readonly number[],
  xs: readonly (readonly number[])[],
  spec: { horizon: number; threshold: number },
): RegimeSample[] {
  return xs.map((_, i) => {
    const j = i + spec.horizon;
    const later = xs[j];
    return {
      i,
      knownAt: ts[i] as number,
      labelAt: later ? (ts[j] as number) : Number.POSITIVE_INFINITY,
      y: later ? ((later[0] as number) > spec.threshold ? 1 : 0) : null,
    };
  });
}

function fitRegimes(spec: RegimeSpec, assets: string[], xs: readonly (readonly number[])[]): FittedRegimes {
  return {
    kind: 'hmm',
    assets,
    window: spec.window,
    horizon: spec.horizon,
    threshold: spec.threshold,
    hmm: fitHmm2(xs),
  };
}

export interface RegimeEvaluation {
  metrics: ClassifierMetrics;
  baseline: ClassifierMetrics;
  better_than_baseline: boolean;
  predictions: { ts: number; y: 0 | 1; p: number; p_baseline: number }[];
  folds: Fold[];
  model: FittedRegimes;
  samples: number;
}

export function evaluateRegimes(
  b: Basket,
  spec: RegimeSpec,
  opts: { seed: number; resamples: number },
): RegimeEvaluation {
  const { ts, xs } = regimeObservations(b, spec.window);
  if (xs.length < 60)
    throw new RangeError(
      `${xs.length} correlation observations of ${b.assets.join('+')}, the regime model needs at least 60`,
    );
  const samples = samplesOf(ts, xs, spec);
  const hmmScorer = (train: RegimeSample[]) => {
    const last = Math.max(...train.map((s) => s.i));
    const m = fitRegimes(spec, b.assets, xs.slice(0, last + 1));
    let probs: number[] | null = null;
    return (s: RegimeSample) => {
      // Filtering is causal: the probability at index i uses observations 0..i only.
      probs ??= hmmEventProbabilities(m, xs);
      return probs[s.i] as number;
    };
  };
  const persistence = (train: RegimeSample[]) => {
    const n = [0, 0];
    const k = [0, 0];
    for (const s of train) {
      const now = ((xs[s.i] as number[])[0] as number) > spec.threshold ? 1 : 0;
      n[now] = (n[now] as number) + 1;
      k[now] = (k[now] as number) + (s.y ?? 0);
    }
    const p = [0, 1].map((c) => clip(((k[c] as number) + 0.5) / ((n[c] as number) + 1)));
    return (s: RegimeSample) => p[((xs[s.i] as number[])[0] as number) > spec.threshold ? 1 : 0] as number;
  };
  const wf = walkForward(samples, [hmmScorer, persistence], {
    minTrainMs: spec.minTrainDays * DAY_MS,
    refitEveryMs: spec.refitEveryDays * DAY_MS,
  });
  const p = wf.p[0] ?? new Float64Array(0);
  const pb = wf.p[1] ?? new Float64Array(0);
  const rows = wf.index.map((i) => samples[i] as RegimeSample);
  const y = Float64Array.from(rows, (s) => s.y ?? 0);
  // Forecasts `horizon` days ahead overlap: blocks at least that long keep the overlap inside a block.
  const blockLength = Math.max(spec.horizon, defaultBlockLength(y.length));
  const [m, bm] = pairedMetrics([p, pb], y, { ...opts, blockLength }) as [
    ClassifierMetrics,
    ClassifierMetrics,
  ];
  const labelled = samples.filter((s) => s.y !== null);
  return {
    metrics: m,
    baseline: bm,
    better_than_baseline: m.log_loss.value < bm.log_loss.value && m.brier.value < bm.brier.value,
    predictions: rows.map((s, k) => ({
      ts: s.knownAt,
      y: s.y ?? 0,
      p: p[k] as number,
      p_baseline: pb[k] as number,
    })),
    folds: wf.folds,
    model: fitRegimes(spec, b.assets, xs.slice(0, (labelled[labelled.length - 1]?.i ?? 0) + 1)),
    samples: labelled.length,
  };
}

/** P(high-correlation regime `horizon` trading days after the basket's last day), by `m`. */
export function latestRegimes(
  b: Basket,
  m: FittedRegimes,
): { ts: number; probability: number; average_correlation: number } {
  const { ts, xs } = regimeObservations(b, m.window);
  if (xs.length === 0) throw new RangeError(`no ${m.window}-day correlation window of ${b.assets.join('+')}`);
  const probs = hmmEventProbabilities(m, xs);
  return {
    ts: ts[ts.length - 1] as number,
    probability: probs[probs.length - 1] as number,
    average_correlation: (xs[xs.length - 1] as number[])[0] as number,
  };
}

/** The model's event probability for every observation (for comparing versions on a later window). */
export function regimeForecastSeries(b: Basket, m: FittedRegimes): { ts: number[]; p: number[] } {
  const { ts, xs } = regimeObservations(b, m.window);
  return { ts, p: hmmEventProbabilities(m, xs) };
}
