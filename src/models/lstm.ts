/**
 * A small LSTM classifier: one LSTM layer of `units` cells over a sequence of `steps` × `channels` inputs,
 * its last hidden state into a logistic output — P(label = 1). Trained by backpropagation through time
 * with Adam on the log-loss, in seeded minibatches, with early stopping on the latest `validation` share
 * of the training rows (in time order) and the best epoch's weights kept.
 *
 * The cell is the standard one (Hochreiter & Schmidhuber 1997 with a forget gate, as Keras/TensorFlow.js
 * `LSTM` with `recurrentActivation: 'sigmoid'`): z = xK + hR + b split into gates i, f, g, o (that
 * order); c' = σ(f)·c + σ(i)·tanh(g); h' = σ(o)·tanh(c'). The weight layout is TensorFlow.js's
 * (kernel [channels, 4·units], recurrent kernel [units, 4·units], bias [4·units]), and `lstm.test.ts`
 * checks the forward pass and the gradients against TensorFlow.js on the same weights.
 *
 * Written out here rather than trained with TensorFlow.js: its pure-JavaScript CPU backend took ~50 s of
 * CPU per fit of this network on the shipped depeg panel (the native `tfjs-node` cannot be installed
 * without downloading libtensorflow at install time), ~100× this code, which is plain Float64Array loops.
 * Same data, options and seed → the same model, bit for bit.
 */
import { Rng } from '../risk/rng.ts';
import { sigmoid } from './logistic.ts';

export interface LstmModel {
  kind: 'lstm';
  steps: number;
  channels: number;
  units: number;
  /** [channels × 4·units], row-major. */
  kernel: number[];
  /** [units × 4·units], row-major. */
  recurrent: number[];
  /** [4·units]. */
  bias: number[];
  /** Output weights [units] and bias. */
  out: number[];
  outBias: number;
  /** Epochs trained (the kept epoch) and the validation log-loss there. */
  epochs: number;
  valLoss: number;
}

export interface LstmOptions {
  /** @defaultValue 8 */
  units?: number;
  /** Upper bound on passes over the training rows. @defaultValue 30 */
  maxEpochs?: number;
  /** Stop after this many epochs without a better validation loss. @defaultValue 3 */
  patience?: number;
  /** Latest share of the rows held out for early stopping. @defaultValue 0.2 */
  validation?: number;
  /** @defaultValue 64 */
  batch?: number;
  /** Adam step size. @defaultValue 0.01 */
  learningRate?: number;
  /** @defaultValue 1 */
  seed?: number;
}

interface Weights {
  K: Float64Array;
  R: Float64Array;
  b: Float64Array;
  w: Float64Array;
  bw: Float64Array;
}

const tanh = Math.tanh;

function glorot(rng: Rng, fanIn: number, fanOut: number, n: number): Float64Array {
  const lim = Math.sqrt(6 / (fanIn + fanOut));
  return Float64Array.from({ length: n }, () => (2 * rng.uniform() - 1) * lim);
}

function init(channels: number, units: number, rng: Rng): Weights {
  const G = 4 * units;
  const b = new Float64Array(G);
  for (let u = units; u < 2 * units; u++) b[u] = 1; // forget-gate bias 1 (Jozefowicz et al. 2015)
  return {
    K: glorot(rng, channels, G, channels * G),
    R: glorot(rng, units, G, units * G),
    b,
    w: glorot(rng, units, 1, units),
    bw: new Float64Array(1),
  };
}

/** Logit of one sequence (`seq` = steps × channels, row-major); `trace` keeps what backprop needs. */
function forward(
  m: Weights,
  steps: number,
  channels: number,
  units: number,
  seq: ArrayLike<number>,
  trace?: { h: Float64Array; c: Float64Array; gates: Float64Array },
): number {
  const G = 4 * units;
  let h = new Float64Array(units);
  let c = new Float64Array(units);
  const z = new Float64Array(G);
  for (let t = 0; t < steps; t++) {
    z.set(m.b);
    for (let f = 0; f < channels; f++) {
      const x = seq[t * channels + f] as number;
      if (x === 0) continue;
      const row = f * G;
      for (let k = 0; k < G; k++) z[k] = (z[k] as number) + x * (m.K[row + k] as number);
    }
    for (let u = 0; u < units; u++) {
      const hu = h[u] as number;
      if (hu === 0) continue;
      const row = u * G;
      for (let k = 0; k < G; k++) z[k] = (z[k] as number) + hu * (m.R[row + k] as number);
    }
    const hn = new Float64Array(units);
    const cn = new Float64Array(units);
    for (let u = 0; u < units; u++) {
      const i = sigmoid(z[u] as number);
      const fg = sigmoid(z[units + u] as number);
      const g = tanh(z[2 * units + u] as number);
      const o = sigmoid(z[3 * units + u] as number);
      const cu = fg * (c[u] as number) + i * g;
      cn[u] = cu;
      hn[u] = o * tanh(cu);
      if (trace) {
        const base = t * G;
        trace.gates[base + u] = i;
        trace.gates[base + units + u] = fg;
        trace.gates[base + 2 * units + u] = g;
        trace.gates[base + 3 * units + u] = o;
      }
    }
    if (trace) {
      trace.h.set(hn, (t + 1) * units);
      trace.c.set(cn, (t + 1) * units);
    }
    h = hn;
    c = cn;
  }
  let s = m.bw[0] as number;
  for (let u = 0; u < units; u++) s += (m.w[u] as number) * (h[u] as number);
  return s;
}

/** Adds d(log-loss)/d(weights) of one sequence, scaled by `scale`, into `g`; returns its log-loss. */
function backward(
  m: Weights,
  g: Weights,
  steps: number,
  channels: number,
  units: number,
  seq: ArrayLike<number>,
  y: number,
  scale: number,
): number {
  const G = 4 * units;
  const trace = {
    h: new Float64Array((steps + 1) * units),
    c: new Float64Array((steps + 1) * units),
    gates: new Float64Array(steps * G),
  };
  const logit = forward(m, steps, channels, units, seq, trace);
  const p = sigmoid(logit);
  const q = Math.min(1 - 1e-15, Math.max(1e-15, p));
  const loss = y === 1 ? -Math.log(q) : -Math.log(1 - q);
  const dl = (p - y) * scale;
  let dh = new Float64Array(units);
  const hT = steps * units;
  for (let u = 0; u < units; u++) {
    g.w[u] = (g.w[u] as number) + dl * (trace.h[hT + u] as number);
    dh[u] = dl * (m.w[u] as number);
  }
  g.bw[0] = (g.bw[0] as number) + dl;
  let dc = new Float64Array(units);
  const dz = new Float64Array(G);
  for (let t = steps - 1; t >= 0; t--) {
    const base = t * G;
    const dcPrev = new Float64Array(units);
    for (let u = 0; u < units; u++) {
      const i = trace.gates[base + u] as number;
      const f = trace.gates[base + units + u] as number;
      const gg = trace.gates[base + 2 * units + u] as number;
      const o = trace.gates[base + 3 * units + u] as number;
      const c = trace.c[(t + 1) * units + u] as number;
      const cPrev = trace.c[t * units + u] as number;
      const tc = tanh(c);
      const dhu = dh[u] as number;
      const dcu = (dc[u] as number) + dhu * o * (1 - tc * tc);
      dz[u] = dcu * gg * i * (1 - i);
      dz[units + u] = dcu * cPrev * f * (1 - f);
      dz[2 * units + u] = dcu * i * (1 - gg * gg);
      dz[3 * units + u] = dhu * tc * o * (1 - o);
      dcPrev[u] = dcu * f;
    }
    for (let f = 0; f < channels; f++) {
      const x = seq[t * channels + f] as number;
      if (x === 0) continue;
      const row = f * G;
      for (let k = 0; k < G; k++) g.K[row + k] = (g.K[row + k] as number) + x * (dz[k] as number);
    }
    const hPrev = t * units;
    const dhPrev = new Float64Array(units);
    for (let u = 0; u < units; u++) {
      const hu = trace.h[hPrev + u] as number;
      const row = u * G;
      let s = 0;
      for (let k = 0; k < G; k++) {
        const r = m.R[row + k] as number;
        if (hu !== 0) g.R[row + k] = (g.R[row + k] as number) + hu * (dz[k] as number);
        s += r * (dz[k] as number);
      }
      dhPrev[u] = s;
    }
    for (let k = 0; k < G; k++) g.b[k] = (g.b[k] as number) + (dz[k] as number);
    dh = dhPrev;
    dc = dcPrev;
  }
  return loss;
}

const keys = ['K', 'R', 'b', 'w', 'bw'] as const;

function zerosLike(m: Weights): Weights {
  return {
    K: new Float64Array(m.K.length),
    R: new Float64Array(m.R.length),
    b: new Float64Array(m.b.length),
    w: new Float64Array(m.w.length),
    bw: new Float64Array(1),
  };
}

function copy(m: Weights): Weights {
  return { K: m.K.slice(), R: m.R.slice(), b: m.b.slice(), w: m.w.slice(), bw: m.bw.slice() };
}

function toModel(m: Weights, steps: number, channels: number, units: number, epochs: number, val: number) {
  return {
    kind: 'lstm' as const,
    steps,
    channels,
    units,
    kernel: Array.from(m.K),
    recurrent: Array.from(m.R),
    bias: Array.from(m.b),
    out: Array.from(m.w),
    outBias: m.bw[0] as number,
    epochs,
    valLoss: val,
  };
}

function weightsOf(m: LstmModel): Weights {
  return {
    K: Float64Array.from(m.kernel),
    R: Float64Array.from(m.recurrent),
    b: Float64Array.from(m.bias),
    w: Float64Array.from(m.out),
    bw: Float64Array.of(m.outBias),
  };
}

/**
 * Mean log-loss of `seqs` under `m` and its gradient (for `lstm.test.ts`, which checks both against
 * TensorFlow.js).
 */
export function lstmLossAndGradient(
  m: LstmModel,
  seqs: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
): { loss: number; grad: Omit<LstmModel, 'kind' | 'steps' | 'channels' | 'units' | 'epochs' | 'valLoss'> } {
  const w = weightsOf(m);
  const g = zerosLike(w);
  let loss = 0;
  seqs.forEach((s, i) => {
    loss += backward(w, g, m.steps, m.channels, m.units, s, y[i] as number, 1 / seqs.length);
  });
  return {
    loss: loss / seqs.length,
    grad: {
      kernel: Array.from(g.K),
      recurrent: Array.from(g.R),
      bias: Array.from(g.b),
      out: Array.from(g.w),
      outBias: g.bw[0] as number,
    },
  };
}

/** Initial (untrained) weights, seeded: for the TensorFlow.js cross-check. */
export function initLstm(steps: number, channels: number, units: number, seed: number): LstmModel {
  return toModel(init(channels, units, new Rng(seed)), steps, channels, units, 0, Number.NaN);
}

/** Fits on `seqs` (each steps × channels, row-major), in time order, against labels `y`. */
export function fitLstm(
  seqs: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
  steps: number,
  channels: number,
  opts: LstmOptions = {},
): LstmModel {
  const n = seqs.length;
  if (n !== y.length) throw new RangeError(`sequences (${n}) and labels (${y.length}) differ in length`);
  if (n === 0) throw new RangeError('no training sequences');
  const units = opts.units ?? 8;
  const maxEpochs = opts.maxEpochs ?? 30;
  const patience = opts.patience ?? 3;
  const batch = opts.batch ?? 64;
  const lr = opts.learningRate ?? 0.01;
  const rng = new Rng(opts.seed ?? 1);
  const nVal = n >= 20 ? Math.max(1, Math.floor(n * (opts.validation ?? 0.2))) : 0;
  const nTrain = n - nVal;
  let w = init(channels, units, rng);
  const m1 = zerosLike(w);
  const m2 = zerosLike(w);
  const b1 = 0.9;
  const b2 = 0.999;
  let step = 0;
  const order = Array.from({ length: nTrain }, (_, i) => i);
  const valLoss = (v: Weights) => {
    let s = 0;
    for (let i = nTrain; i < n; i++) {
      const p = Math.min(
        1 - 1e-15,
        Math.max(1e-15, sigmoid(forward(v, steps, channels, units, seqs[i] ?? []))),
      );
      s += y[i] === 1 ? -Math.log(p) : -Math.log(1 - p);
    }
    return nVal > 0 ? s / nVal : Number.NaN;
  };
  let best = copy(w);
  let bestLoss = nVal > 0 ? valLoss(w) : Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  for (let epoch = 1; epoch <= maxEpochs; epoch++) {
    // Seeded Fisher–Yates shuffle of the training rows.
    for (let i = nTrain - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      const a = order[i] as number;
      order[i] = order[j] as number;
      order[j] = a;
    }
    for (let start = 0; start < nTrain; start += batch) {
      const end = Math.min(nTrain, start + batch);
      const g = zerosLike(w);
      for (let k = start; k < end; k++) {
        const i = order[k] as number;
        backward(w, g, steps, channels, units, seqs[i] ?? [], y[i] as number, 1 / (end - start));
      }
      step++;
      const c1 = 1 - b1 ** step;
      const c2 = 1 - b2 ** step;
      for (const key of keys) {
        const p = w[key];
        const gr = g[key];
        const a = m1[key];
        const v = m2[key];
        for (let j = 0; j < p.length; j++) {
          const gj = gr[j] as number;
          a[j] = b1 * (a[j] as number) + (1 - b1) * gj;
          v[j] = b2 * (v[j] as number) + (1 - b2) * gj * gj;
          p[j] =
            (p[j] as number) - (lr * ((a[j] as number) / c1)) / (Math.sqrt((v[j] as number) / c2) + 1e-8);
        }
      }
    }
    if (nVal === 0) {
      best = copy(w);
      bestEpoch = epoch;
      continue;
    }
    const l = valLoss(w);
    if (l < bestLoss - 1e-6) {
      bestLoss = l;
      best = copy(w);
      bestEpoch = epoch;
    } else if (epoch - bestEpoch >= patience) break;
  }
  w = best;
  return toModel(w, steps, channels, units, bestEpoch, nVal > 0 ? bestLoss : Number.NaN);
}

/** Typed-array weights of each stored model, built once per model object (scoring calls this per sample). */
const typed = new WeakMap<LstmModel, Weights>();

export function predictLstm(m: LstmModel, seq: ArrayLike<number>): number {
  let w = typed.get(m);
  if (!w) {
    w = weightsOf(m);
    typed.set(m, w);
  }
  return sigmoid(forward(w, m.steps, m.channels, m.units, seq));
}
