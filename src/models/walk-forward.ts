/**
 * Walk-forward evaluation with an expanding window: from `start` (first feature time + `minTrainMs`),
 * every `refitEveryMs` the model is refitted on every sample whose label was known by then
 * (`labelAt <= refit time`) and scores the samples whose features become known before the next refit
 * (`refit < knownAt <= next refit`). A forecast therefore never depends on anything known after it was
 * made: not its own label, not later bars, not later refits.
 */

export interface TimedSample {
  knownAt: number;
  labelAt: number;
  y: 0 | 1 | null;
}

export interface WalkForwardOptions {
  /** History before the first refit. @defaultValue 180 days */
  minTrainMs?: number;
  /** Refit schedule. @defaultValue 30 days */
  refitEveryMs?: number;
}

export interface Fold {
  refitAt: number;
  trainRows: number;
  testRows: number;
}

export interface WalkForwardResult {
  /** Indices into the samples, in time order, of every scored (labelled) sample. */
  index: number[];
  /** One probability per scorer per scored sample: `p[s][k]` for scorer s and `index[k]`. */
  p: Float64Array[];
  folds: Fold[];
}

const DAY_MS = 86_400_000;

/**
 * `scorers` are fitted per fold: each takes the training samples and returns a forecaster. Several
 * scorers (candidate, baseline) see exactly the same folds.
 */
export function walkForward<S extends TimedSample>(
  samples: readonly S[],
  scorers: readonly ((train: S[]) => (s: S) => number)[],
  opts: WalkForwardOptions = {},
): WalkForwardResult {
  const minTrain = opts.minTrainMs ?? 180 * DAY_MS;
  const every = opts.refitEveryMs ?? 30 * DAY_MS;
  const labelled = samples.map((s, i) => ({ s, i })).filter((r) => r.s.y !== null);
  labelled.sort((a, b) => a.s.knownAt - b.s.knownAt || a.i - b.i);
  const out: WalkForwardResult = { index: [], p: scorers.map(() => new Float64Array(0)), folds: [] };
  if (labelled.length === 0) return out;
  const first = (labelled[0] as { s: S }).s.knownAt;
  const lastKnown = (labelled[labelled.length - 1] as { s: S }).s.knownAt;
  const probs: number[][] = scorers.map(() => []);
  for (let refit = first + minTrain; refit < lastKnown; refit += every) {
    const next = refit + every;
    const train = labelled.filter((r) => r.s.labelAt <= refit).map((r) => r.s);
    const test = labelled.filter((r) => r.s.knownAt > refit && r.s.knownAt <= next);
    if (test.length === 0 || train.length === 0) continue;
    scorers.forEach((fitFold, k) => {
      const f = fitFold(train);
      for (const r of test) (probs[k] as number[]).push(f(r.s));
    });
    for (const r of test) out.index.push(r.i);
    out.folds.push({ refitAt: refit, trainRows: train.length, testRows: test.length });
  }
  out.p = probs.map((ps) => Float64Array.from(ps));
  return out;
}
