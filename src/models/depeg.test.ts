import { describe, expect, it } from 'vitest';
import { Rng } from '../risk/rng.ts';
import { DEPEG_BASELINE, type DepegSpec, evaluateDepeg, PATH_FEATURES } from './depeg.ts';
import { alignDaily, DEPEG_FEATURES, depegSamples } from './features.ts';
import { sampleSeries } from './testing.ts';

const FAST_GBT: DepegSpec = {
  kind: 'gbt',
  features: DEPEG_FEATURES,
  gbt: { trees: 20, maxDepth: 3, learningRate: 0.2, lambda: 1, minChildWeight: 1, subsample: 0.8, bins: 16 },
};
const CUT = Date.parse('2022-11-01T00:00:00Z');
/** The catalogue's LSTM cut down for tests: 4 units, at most 4 epochs, refits every 120 days. */
const FAST_LSTM: DepegSpec = {
  kind: 'lstm',
  features: PATH_FEATURES,
  lstm: { units: 4, maxEpochs: 4, patience: 2, validation: 0.2, batch: 128, learningRate: 0.02 },
  refitEveryDays: 120,
};

/** The shipped series with every bar from CUT on replaced: closes shuffled in time and scaled at random. */
function alteredFuture(seed: number) {
  const { coins, btc } = sampleSeries();
  const rng = new Rng(seed);
  const scramble = <
    T extends { ts: number[]; close: number[]; high: number[]; low: number[]; volume: number[] },
  >(
    s: T,
  ): T => {
    const idx = s.ts.map((t, i) => (t >= CUT ? i : -1)).filter((i) => i >= 0);
    const perm = [...idx].sort(() => rng.uniform() - 0.5);
    const close = [...s.close];
    idx.forEach((i, k) => {
      close[i] = (s.close[perm[k] as number] as number) * (0.9 + 0.2 * rng.uniform());
    });
    return {
      ...s,
      close,
      high: close.map((c, i) => (i >= (idx[0] ?? Infinity) ? c * 1.01 : (s.high[i] as number))),
      volume: s.volume.map((v, i) => ((s.ts[i] as number) >= CUT ? v * 3 : v)),
    };
  };
  return alignDaily(coins.map(scramble), scramble(btc));
}

describe('depeg walk-forward: no look-ahead', () => {
  const { coins, btc } = sampleSeries();
  const real = alignDaily(coins, btc);
  const fake = alteredFuture(9);

  it('features of day t depend on no bar after t', () => {
    const a = depegSamples(real);
    const b = depegSamples(fake);
    const isEarly = (s: { knownAt: number }) => s.knownAt <= CUT;
    const fa = a.filter(isEarly);
    const fb = b.filter(isEarly);
    expect(fb.length).toBe(fa.length);
    for (const [i, s] of fa.entries())
      expect(Array.from(fb[i]?.x ?? []), `${s.coin} ${new Date(s.ts).toISOString()}`).toEqual(
        Array.from(s.x),
      );
    for (const [i, s] of fa.entries())
      expect(Array.from(fb[i]?.path ?? []), `path ${s.coin} ${new Date(s.ts).toISOString()}`).toEqual(
        Array.from(s.path),
      );
    // Positive control: the altered future does change later features.
    const after = a.filter((s) => !isEarly(s));
    const changed = b.filter((s) => !isEarly(s)).filter((s, i) => s.x[0] !== after[i]?.x[0]);
    expect(changed.length).toBeGreaterThan(0);
  });

  it('forecasts made before the altered future are bit-identical (candidate and baseline)', () => {
    const ea = evaluateDepeg(real, FAST_GBT, { seed: 3, resamples: 20 });
    const eb = evaluateDepeg(fake, FAST_GBT, { seed: 3, resamples: 20 });
    // The forecasts, not the labels: a label is the future by definition (the last early day's label is altered).
    const early = (e: typeof ea) =>
      e.predictions.filter((p) => p.ts + 86_400_000 <= CUT).map((p) => [p.coin, p.ts, p.p, p.p_baseline]);
    expect(early(ea).length).toBeGreaterThan(100);
    expect(early(eb)).toEqual(early(ea));
    const late = (e: typeof ea) => e.predictions.filter((p) => p.ts + 86_400_000 > CUT);
    expect(late(eb).map((p) => p.p)).not.toEqual(late(ea).map((p) => p.p));
  });

  it('the LSTM on the recent path: forecasts before the altered future are bit-identical too', () => {
    const ea = evaluateDepeg(real, FAST_LSTM, { seed: 3, resamples: 20 });
    const eb = evaluateDepeg(fake, FAST_LSTM, { seed: 3, resamples: 20 });
    const early = (e: typeof ea) =>
      e.predictions.filter((p) => p.ts + 86_400_000 <= CUT).map((p) => [p.coin, p.ts, p.p, p.p_baseline]);
    expect(early(ea).length).toBeGreaterThan(100);
    expect(early(eb)).toEqual(early(ea));
  });
});

describe('depeg evaluation on the shipped 2022–2023 series', () => {
  const { coins, btc } = sampleSeries();
  const panel = alignDaily(coins, btc);
  it('is deterministic with a seed and scores candidate and baseline on the same folds', () => {
    const a = evaluateDepeg(panel, FAST_GBT, { seed: 4, resamples: 50 });
    const b = evaluateDepeg(panel, FAST_GBT, { seed: 4, resamples: 50 });
    expect(b.metrics).toEqual(a.metrics);
    expect(b.model).toEqual(a.model);
    expect(a.metrics.n).toBe(a.baseline.n);
    // Positives: UST from the Terra collapse (2022-05-09) on, USDC and DAI on 2023-03-11 (closes in samples/).
    expect(a.metrics.positives).toBeGreaterThan(150);
    expect(a.folds.length).toBeGreaterThan(10);
  });
  it('the LSTM candidate is deterministic with a seed: two runs, identical metrics and weights', () => {
    const a = evaluateDepeg(panel, FAST_LSTM, { seed: 4, resamples: 50 });
    const b = evaluateDepeg(panel, FAST_LSTM, { seed: 4, resamples: 50 });
    expect(b.metrics).toEqual(a.metrics);
    expect(b.model).toEqual(a.model);
    expect(a.model.kind).toBe('lstm');
    // Refits every 120 days after 180: the baseline is scored on the same (coarser) folds.
    expect(a.folds.length).toBeGreaterThanOrEqual(4);
    expect(a.baseline.n).toBe(a.metrics.n);
    for (const e of [a.metrics.brier, a.metrics.log_loss]) expect(Number.isFinite(e.value)).toBe(true);
  });
  it('the baseline is the logistic on the deviation alone', () => {
    expect(DEPEG_BASELINE).toEqual({ kind: 'logistic', features: ['dev_abs'], l2: 1 });
  });
});
