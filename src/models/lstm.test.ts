/**
 * The LSTM of `lstm.ts` against TensorFlow.js (the reference implementation: `tf.layers.lstm` with
 * `recurrentActivation: 'sigmoid'` and a dense output, on the same weights): the same forecasts and the
 * same log-loss gradients (TensorFlow.js's autodiff, float32). Then training: seeded and deterministic,
 * and it learns a pattern a logistic on the last value alone cannot see.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../risk/rng.ts';
import { fitLstm, initLstm, lstmLossAndGradient, predictLstm } from './lstm.ts';

const STEPS = 5;
const CH = 3;
const UNITS = 4;

function data(n: number, seed: number) {
  const rng = new Rng(seed);
  const seqs = Array.from({ length: n }, () => Float64Array.from({ length: STEPS * CH }, () => rng.normal()));
  const y = seqs.map((s) => ((s[0] as number) + (s[3] as number) > 0 ? 1 : 0));
  return { seqs, y };
}

describe('LSTM forward pass and gradients equal TensorFlow.js on the same weights', () => {
  tf.enableProdMode();
  const m = initLstm(STEPS, CH, UNITS, 7);
  // Non-trivial output weights and biases (the initial bias is 0/1 only).
  m.bias = m.bias.map((b, i) => b + 0.1 * Math.sin(i));
  m.outBias = -0.3;
  const { seqs, y } = data(6, 3);
  const ref = tf.sequential();
  ref.add(
    tf.layers.lstm({
      units: UNITS,
      inputShape: [STEPS, CH],
      recurrentActivation: 'sigmoid',
      activation: 'tanh',
    }),
  );
  ref.add(tf.layers.dense({ units: 1 }));
  ref.setWeights([
    tf.tensor2d(m.kernel, [CH, 4 * UNITS]),
    tf.tensor2d(m.recurrent, [UNITS, 4 * UNITS]),
    tf.tensor1d(m.bias),
    tf.tensor2d(m.out, [UNITS, 1]),
    tf.tensor1d([m.outBias]),
  ]);
  const x = tf.tensor3d(
    seqs.map((s) => Array.from({ length: STEPS }, (_, t) => Array.from(s.slice(t * CH, (t + 1) * CH)))),
  );
  const labels = tf.tensor2d(y, [y.length, 1]);

  it('forecasts', () => {
    const logits = Array.from((ref.predict(x) as tf.Tensor).dataSync());
    seqs.forEach((s, i) => {
      expect(predictLstm(m, s)).toBeCloseTo(1 / (1 + Math.exp(-(logits[i] as number))), 6);
    });
  });

  it('log-loss and its gradient with respect to every weight', () => {
    const { value, grads } = tf.variableGrads(
      () => tf.losses.sigmoidCrossEntropy(labels, ref.apply(x) as tf.Tensor) as tf.Scalar,
    );
    const ours = lstmLossAndGradient(m, seqs, y);
    expect(ours.loss).toBeCloseTo(value.dataSync()[0] as number, 5);
    const names = ref.trainableWeights.map((w) => w.name);
    const mine = [ours.grad.kernel, ours.grad.recurrent, ours.grad.bias, ours.grad.out, [ours.grad.outBias]];
    names.forEach((name, k) => {
      const g = grads[name];
      expect(g, name).toBeDefined();
      const theirs = Array.from(g?.dataSync() ?? []);
      const want = mine[k] ?? [];
      expect(theirs.length).toBe(want.length);
      const scale = Math.max(1e-3, ...theirs.map(Math.abs));
      theirs.forEach((v, j) => {
        expect(Math.abs((want[j] as number) - v) / scale, `${name}[${j}]`).toBeLessThan(1e-4);
      });
    });
  });
});

describe('LSTM training', () => {
  // The label is the sign of the FIRST step's first channel plus the second step's first channel: memory
  // a model of the last step cannot have.
  const train = data(600, 1);
  const test = data(300, 2);
  const opts = { units: 8, maxEpochs: 12, patience: 3, seed: 5 };
  it('is deterministic with a seed (two fits, identical weights and forecasts)', () => {
    const a = fitLstm(train.seqs, train.y, STEPS, CH, opts);
    const b = fitLstm(train.seqs, train.y, STEPS, CH, opts);
    expect(b).toEqual(a);
    const c = fitLstm(train.seqs, train.y, STEPS, CH, { ...opts, seed: 6 });
    expect(c.kernel).not.toEqual(a.kernel);
  });
  it('learns a pattern from early in the sequence (held-out accuracy > 80 %, base rate ≈ 50 %)', () => {
    const m = fitLstm(train.seqs, train.y, STEPS, CH, opts);
    let right = 0;
    test.seqs.forEach((s, i) => {
      if ((predictLstm(m, s) > 0.5 ? 1 : 0) === test.y[i]) right++;
    });
    expect(right / test.seqs.length).toBeGreaterThan(0.8);
    expect(m.epochs).toBeGreaterThan(0);
  });
});
