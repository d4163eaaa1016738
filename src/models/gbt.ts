/**
 * Gradient-boosted decision trees for a binary label (log-loss), in the manner of XGBoost/LightGBM but
 * small: each feature is cut into at most `bins` quantile bins of the training rows, trees are grown
 * depth-first to `maxDepth` choosing the split with the largest second-order gain
 * G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ), leaves take the Newton step −G/(H+λ) scaled by the learning
 * rate, and each tree sees a seeded row subsample. Same data, options and seed → the same model.
 */
import { Rng } from '../risk/rng.ts';
import { sigmoid } from './logistic.ts';

/** A tree node: a split (`f`, threshold `t`, go left when x[f] <= t) or a leaf (`v`). */
type TreeNode = { f: number; t: number; l: TreeNode; r: TreeNode } | { v: number };

export interface GbtModel {
  kind: 'gbt';
  /** Log-odds every prediction starts from (the training base rate). */
  base: number;
  trees: TreeNode[];
}

export interface GbtOptions {
  /** Trees. @defaultValue 100 */
  trees?: number;
  /** @defaultValue 3 */
  maxDepth?: number;
  /** Shrinkage of each tree's leaves. @defaultValue 0.1 */
  learningRate?: number;
  /** L2 penalty λ on leaf values. @defaultValue 1 */
  lambda?: number;
  /** Minimum Hessian mass (≈ p(1−p)·rows) in a child. @defaultValue 1 */
  minChildWeight?: number;
  /** Fraction of rows each tree is grown on. @defaultValue 0.8 */
  subsample?: number;
  /** Quantile bins per feature. @defaultValue 32 */
  bins?: number;
  /** @defaultValue 1 */
  seed?: number;
}

function binEdges(x: readonly Float64Array[], j: number, bins: number): number[] {
  const col = x.map((r) => r[j] as number).sort((a, b) => a - b);
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) {
    const v = col[Math.floor((b * col.length) / bins)] as number;
    if (edges.length === 0 || v > (edges[edges.length - 1] as number)) edges.push(v);
  }
  return edges;
}

/** Index of the first edge ≥ v (values equal to an edge go to its bin, i.e. left of the cut). */
function binOf(edges: readonly number[], v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((edges[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function fitGbt(x: readonly Float64Array[], y: ArrayLike<number>, opts: GbtOptions = {}): GbtModel {
  const n = x.length;
  if (n !== y.length) throw new RangeError(`rows (${n}) and labels (${y.length}) differ in length`);
  if (n === 0) throw new RangeError('no training rows');
  const p = (x[0] as Float64Array).length;
  const nTrees = opts.trees ?? 100;
  const maxDepth = opts.maxDepth ?? 3;
  const lr = opts.learningRate ?? 0.1;
  const lambda = opts.lambda ?? 1;
  const minChild = opts.minChildWeight ?? 1;
  const subsample = opts.subsample ?? 0.8;
  const rng = new Rng(opts.seed ?? 1);
  const edges = Array.from({ length: p }, (_, j) => binEdges(x, j, opts.bins ?? 32));
  const binned = x.map((r) =>
    Uint8Array.from({ length: p }, (_, j) => binOf(edges[j] as number[], r[j] as number)),
  );
  let pos = 0;
  for (let i = 0; i < n; i++) pos += y[i] as number;
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, pos / n));
  const base = Math.log(rate / (1 - rate));
  const f = new Float64Array(n).fill(base);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const trees: TreeNode[] = [];

  const grow = (rows: number[], depth: number): TreeNode => {
    let G = 0;
    let H = 0;
    for (const i of rows) {
      G += g[i] as number;
      H += h[i] as number;
    }
    const leaf = { v: (-G / (H + lambda)) * lr };
    if (depth >= maxDepth || rows.length < 2) return leaf;
    const parent = (G * G) / (H + lambda);
    let best = { gain: 1e-12, f: -1, bin: -1 };
    for (let j = 0; j < p; j++) {
      const nb = (edges[j] as number[]).length + 1;
      const gs = new Float64Array(nb);
      const hs = new Float64Array(nb);
      for (const i of rows) {
        const b = (binned[i] as Uint8Array)[j] as number;
        gs[b] = (gs[b] as number) + (g[i] as number);
        hs[b] = (hs[b] as number) + (h[i] as number);
      }
      let gl = 0;
      let hl = 0;
      for (let b = 0; b < nb - 1; b++) {
        gl += gs[b] as number;
        hl += hs[b] as number;
        const gr = G - gl;
        const hr = H - hl;
        if (hl < minChild || hr < minChild) continue;
        const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parent;
        if (gain > best.gain) best = { gain, f: j, bin: b };
      }
    }
    if (best.f < 0) return leaf;
    const left: number[] = [];
    const right: number[] = [];
    for (const i of rows)
      ((((binned[i] as Uint8Array)[best.f] as number) <= best.bin ? left : right) as number[]).push(i);
    return {
      f: best.f,
      t: (edges[best.f] as number[])[best.bin] as number,
      l: grow(left, depth + 1),
      r: grow(right, depth + 1),
    };
  };

  for (let t = 0; t < nTrees; t++) {
    for (let i = 0; i < n; i++) {
      const q = sigmoid(f[i] as number);
      g[i] = q - (y[i] as number);
      h[i] = Math.max(q * (1 - q), 1e-12);
    }
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (rng.uniform() < subsample) rows.push(i);
    const tree = grow(rows, 0);
    trees.push(tree);
    for (let i = 0; i < n; i++) f[i] = (f[i] as number) + treeValue(tree, x[i] as Float64Array);
  }
  return { kind: 'gbt', base, trees };
}

function treeValue(node: TreeNode, row: ArrayLike<number>): number {
  let cur = node;
  while (!('v' in cur)) cur = (row[cur.f] as number) <= cur.t ? cur.l : cur.r;
  return cur.v;
}

export function predictGbt(m: GbtModel, row: ArrayLike<number>): number {
  let s = m.base;
  for (const t of m.trees) s += treeValue(t, row);
  return sigmoid(s);
}
