/**
 * Depeg-probability models: P(a stablecoin's next daily close is more than 1 % off its peg), from the
 * features of `features.ts`. The baseline is a logistic regression on the deviation alone; candidates are
 * a logistic regression on every feature, gradient-boosted trees, and a small LSTM on the recent path
 * (`lstm.ts`, features.ts `path`). Every model is evaluated walk-forward
 * beside the baseline on the same folds, then refitted on all labelled samples to be stored and used.
 */
import {
  DEPEG_FEATURES,
  type DepegPanel,
  type DepegSample,
  depegSamples,
  PATH_CHANNELS,
  PATH_STEPS,
} from './features.ts';
import { fitGbt, type GbtModel, type GbtOptions, predictGbt } from './gbt.ts';
import { fitLogistic, type LogisticModel, predictLogistic } from './logistic.ts';
import { fitLstm, type LstmModel, type LstmOptions, predictLstm } from './lstm.ts';
import { type ClassifierMetrics, pairedMetrics } from './metrics.ts';
import { type Fold, type WalkForwardOptions, walkForward } from './walk-forward.ts';

export type DepegSpec =
  | { kind: 'logistic'; features: readonly string[]; l2: number }
  | { kind: 'gbt'; features: readonly string[]; gbt: Required<Omit<GbtOptions, 'seed'>> }
  | {
      kind: 'lstm';
      /** The path's channels (features.ts `depegPath`), for the registry's feature list. */
      features: readonly string[];
      lstm: Required<Omit<LstmOptions, 'seed'>>;
      /** Refit schedule of its walk-forward (candidate and baseline alike), when coarser than the default. */
      refitEveryDays?: number;
    };

/** The channels of a sample's `path`, as a sequence model's feature list. */
export const PATH_FEATURES = [
  `dev_signed[t-${PATH_STEPS - 1}..t]`,
  `contagion_dev[t-${PATH_STEPS - 1}..t]`,
  `btc_return[t-${PATH_STEPS - 1}..t]`,
] as const;

/** A fitted model as stored in the registry (plain JSON). */
export type FittedDepeg =
  | { kind: 'logistic'; features: string[]; model: LogisticModel }
  | { kind: 'gbt'; features: string[]; model: GbtModel }
  | { kind: 'lstm'; features: string[]; model: LstmModel };

export const DEPEG_BASELINE: DepegSpec = { kind: 'logistic', features: ['dev_abs'], l2: 1 };

const featureIndex = (names: readonly string[]): number[] =>
  names.map((name) => {
    const i = (DEPEG_FEATURES as readonly string[]).indexOf(name);
    if (i < 0) throw new RangeError(`unknown depeg feature "${name}" (known: ${DEPEG_FEATURES.join(', ')})`);
    return i;
  });

function pick(x: Float64Array, idx: readonly number[]): Float64Array {
  return Float64Array.from(idx, (i) => x[i] as number);
}

export function fitDepeg(spec: DepegSpec, train: readonly DepegSample[], seed: number): FittedDepeg {
  if (spec.kind === 'lstm') {
    const model = fitLstm(
      train.map((s) => s.path),
      train.map((s) => s.y ?? 0),
      PATH_STEPS,
      PATH_CHANNELS,
      { ...spec.lstm, seed },
    );
    return { kind: 'lstm', features: [...spec.features], model };
  }
  const idx = featureIndex(spec.features);
  const x = train.map((s) => pick(s.x, idx));
  const y = train.map((s) => s.y ?? 0);
  if (spec.kind === 'logistic')
    return { kind: 'logistic', features: [...spec.features], model: fitLogistic(x, y, { l2: spec.l2 }) };
  return { kind: 'gbt', features: [...spec.features], model: fitGbt(x, y, { ...spec.gbt, seed }) };
}

type DepegInput = { x: Float64Array; path: Float64Array };

export function predictDepeg(m: FittedDepeg, s: DepegInput): number {
  return depegPredictor(m)(s);
}

/** `predictDepeg` of one model over many samples: its feature columns are looked up once. */
function depegPredictor(m: FittedDepeg): (s: DepegInput) => number {
  if (m.kind === 'lstm') return (s) => predictLstm(m.model, s.path);
  const idx = featureIndex(m.features);
  if (m.kind === 'logistic') return (s) => predictLogistic(m.model, pick(s.x, idx));
  return (s) => predictGbt(m.model, pick(s.x, idx));
}

export interface DepegEvaluation {
  metrics: ClassifierMetrics & { onset?: ClassifierMetrics };
  baseline: ClassifierMetrics & { onset?: ClassifierMetrics };
  better_than_baseline: boolean;
  folds: Fold[];
  /** The walk-forward forecasts: one row per scored sample. */
  predictions: { coin: string; ts: number; y: 0 | 1; p: number; p_baseline: number }[];
  /** The model refitted on every labelled sample. */
  model: FittedDepeg;
  samples: number;
}

export interface EvaluateOptions extends WalkForwardOptions {
  seed: number;
  /**
   * `depegSamples(panel)` when already computed: the feature matrix and paths of one panel, shared by the
   * models evaluated on it. @defaultValue computed here
   */
  samples?: readonly DepegSample[];
  /** Bootstrap resamples of the metric intervals. @defaultValue 1000 */
  resamples?: number;
}

/**
 * A model "beats" its baseline when its walk-forward log-loss and Brier score (both proper scoring rules)
 * are lower. AUC is reported but not decisive: it ignores calibration.
 */
function beats(m: ClassifierMetrics, b: ClassifierMetrics): boolean {
  return m.log_loss.value < b.log_loss.value && m.brier.value < b.brier.value;
}

export function evaluateDepeg(panel: DepegPanel, spec: DepegSpec, opts: EvaluateOptions): DepegEvaluation {
  const { samples = depegSamples(panel), ...wfOpts } = opts;
  const wf = walkForward(
    samples,
    [spec, DEPEG_BASELINE].map(
      (sp) => (train: DepegSample[]) => depegPredictor(fitDepeg(sp, train, opts.seed)),
    ),
    {
      ...wfOpts,
      refitEveryMs:
        opts.refitEveryMs ??
        (spec.kind === 'lstm' && spec.refitEveryDays ? spec.refitEveryDays * 86_400_000 : undefined),
    },
  );
  const p = wf.p[0] ?? new Float64Array(0);
  const pb = wf.p[1] ?? new Float64Array(0);
  const rows = wf.index.map((i) => samples[i] as DepegSample);
  const y = Float64Array.from(rows, (s) => s.y ?? 0);
  const boot = { seed: opts.seed, resamples: opts.resamples ?? 1000 };
  const [m, b] = pairedMetrics([p, pb], y, boot) as [ClassifierMetrics, ClassifierMetrics];
  // Onset: forecasts made while the coin was still on peg, the question that matters before a depeg.
  const onset = rows.map((s, k) => (Math.abs(s.x[0] as number) <= 0.01 ? k : -1)).filter((k) => k >= 0);
  const sub = (v: ArrayLike<number>) => Float64Array.from(onset, (k) => v[k] as number);
  const [mo, bo] = pairedMetrics([sub(p), sub(pb)], sub(y), boot) as [ClassifierMetrics, ClassifierMetrics];
  const labelled = samples.filter((s) => s.y !== null);
  return {
    metrics: { ...m, onset: mo },
    baseline: { ...b, onset: bo },
    better_than_baseline: beats(m, b),
    folds: wf.folds,
    predictions: rows.map((s, k) => ({
      coin: s.coin,
      ts: s.ts,
      y: s.y ?? 0,
      p: p[k] as number,
      p_baseline: pb[k] as number,
    })),
    model: fitDepeg(spec, labelled, opts.seed),
    samples: labelled.length,
  };
}

/**
 * Each coin's sample on the panel's last day (its label is still unknown), scored by `m`: what
 * `models predict` prints. A coin without a bar that day (a series that stopped) gets no forecast.
 * `samples`: `depegSamples(panel)` when already computed (several models scored on one panel).
 */
export function latestDepeg(
  panel: DepegPanel,
  m: FittedDepeg,
  samples: readonly DepegSample[] = depegSamples(panel),
): { coin: string; ts: number; p: number }[] {
  const predict = depegPredictor(m);
  return samples.filter((s) => s.y === null).map((s) => ({ coin: s.coin, ts: s.ts, p: predict(s) }));
}
