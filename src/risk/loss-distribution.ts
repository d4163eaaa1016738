/**
 * Streaming summary of a simulated loss distribution in bounded memory. The first `exactCapacity`
 * values are kept exactly (quantiles by quickselect); past that the buffer is folded into a fixed-bin histogram
 * over the buffer's range widened by half its span on each side, with per-bin sums so tail means stay
 * accurate, plus exact count/sum for values that fall outside it. Memory is
 * `8·exactCapacity + 16·bins` bytes whatever the number of values (about 2 MB by default).
 *
 * Quantiles in histogram mode are exact to one bin width (span·2/bins); mean, min and max are always exact.
 */
/** Values kept exactly before the histogram takes over. */
export const DEFAULT_EXACT_CAPACITY = 131072;

export interface LossDistributionOptions {
  /** Values kept exactly before switching to the histogram. @defaultValue 131072 */
  exactCapacity?: number;
  /** Histogram bins. @defaultValue 65536 */
  bins?: number;
}

export class LossDistribution {
  private readonly buffer: Float64Array;
  private readonly binCount: number;
  private counts: Float64Array | null = null;
  private sums: Float64Array | null = null;
  private lo = 0;
  private width = 1;
  private under = { n: 0, sum: 0 };
  private over = { n: 0, sum: 0 };
  private n = 0;
  private total = 0;
  private minV = Number.POSITIVE_INFINITY;
  private maxV = Number.NEGATIVE_INFINITY;

  constructor(options: LossDistributionOptions = {}) {
    this.buffer = new Float64Array(Math.max(1, options.exactCapacity ?? DEFAULT_EXACT_CAPACITY));
    this.binCount = options.bins ?? 65536;
  }

  get count(): number {
    return this.n;
  }
  get mean(): number {
    return this.n === 0 ? Number.NaN : this.total / this.n;
  }
  get min(): number {
    return this.n === 0 ? Number.NaN : this.minV;
  }
  get max(): number {
    return this.n === 0 ? Number.NaN : this.maxV;
  }
  /** True once values no longer fit the exact buffer. */
  get approximate(): boolean {
    return this.counts !== null;
  }

  add(x: number): void {
    this.total += x;
    if (x < this.minV) this.minV = x;
    if (x > this.maxV) this.maxV = x;
    if (this.counts === null) {
      if (this.n < this.buffer.length) {
        this.buffer[this.n++] = x;
        return;
      }
      this.toHistogram();
    }
    this.n++;
    this.bin(x);
  }

  private toHistogram(): void {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of this.buffer) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    let span = hi - lo;
    if (span <= 0) span = Math.max(Math.abs(lo), 1) * 1e-6;
    this.lo = lo - span / 2;
    this.width = (2 * span) / this.binCount;
    this.counts = new Float64Array(this.binCount);
    this.sums = new Float64Array(this.binCount);
    for (const v of this.buffer) this.bin(v);
  }

  private bin(x: number): void {
    const counts = this.counts;
    const sums = this.sums;
    if (!counts || !sums) return;
    const k = Math.floor((x - this.lo) / this.width);
    if (k < 0) {
      this.under.n++;
      this.under.sum += x;
    } else if (k >= this.binCount) {
      this.over.n++;
      this.over.sum += x;
    } else {
      counts[k] = (counts[k] ?? 0) + 1;
      sums[k] = (sums[k] ?? 0) + x;
    }
  }

  /** The exact values with the one of 0-based rank `k` moved to index k (smaller before, larger after). */
  private selectExact(k: number): Float64Array {
    const view = this.buffer.subarray(0, this.n);
    selectInPlace(view, k);
    return view;
  }

  /** Smallest x with F(x) ≥ p (the lower empirical p-quantile), p in (0, 1]. */
  quantile(p: number): number {
    if (this.n === 0) return Number.NaN;
    const rank = Math.min(this.n, Math.max(1, Math.ceil(p * this.n - 1e-9)));
    const counts = this.counts;
    if (!counts) return this.selectExact(rank - 1)[rank - 1] ?? Number.NaN;
    if (rank === this.n) return this.maxV;
    let seen = this.under.n;
    if (rank <= seen) return this.minV + ((this.lo - this.minV) * rank) / seen;
    for (let k = 0; k < this.binCount; k++) {
      const c = counts[k] ?? 0;
      if (rank <= seen + c) return this.lo + this.width * (k + (rank - seen) / c);
      seen += c;
    }
    const hiEdge = this.lo + this.width * this.binCount;
    return hiEdge + ((this.maxV - hiEdge) * (rank - seen)) / this.over.n;
  }

  /**
   * Mean of the largest n − ⌊p·n⌋ values: the empirical expected shortfall (CVaR) at level p when the
   * values are losses.
   */
  tailMean(p: number): number {
    if (this.n === 0) return Number.NaN;
    const k = Math.max(1, this.n - Math.floor(p * this.n + 1e-9));
    const counts = this.counts;
    const sums = this.sums;
    if (!counts || !sums) {
      const s = this.selectExact(this.n - k);
      let acc = 0;
      for (let i = this.n - k; i < this.n; i++) acc += s[i] ?? 0;
      return acc / k;
    }
    let need = k;
    let acc = 0;
    const takeOver = Math.min(need, this.over.n);
    if (takeOver > 0) {
      acc += (this.over.sum * takeOver) / this.over.n;
      need -= takeOver;
    }
    for (let b = this.binCount - 1; b >= 0 && need > 0; b--) {
      const c = counts[b] ?? 0;
      if (c === 0) continue;
      const take = Math.min(need, c);
      acc += ((sums[b] ?? 0) * take) / c;
      need -= take;
    }
    if (need > 0) acc += (this.under.sum * need) / this.under.n;
    return acc / k;
  }
}

/**
 * Quickselect (Hoare partition, median-of-three pivot): rearranges `a` so that a[k] holds the value of
 * rank k, with no larger value before it and no smaller after. Expected O(n), cheaper than a sort.
 */
export function selectInPlace(a: Float64Array, k: number): void {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    let x = a[lo] ?? Number.NaN;
    let y = a[mid] ?? Number.NaN;
    let z = a[hi] ?? Number.NaN;
    if (x > y) [x, y] = [y, x];
    if (y > z) [y, z] = [z, y];
    if (x > y) [x, y] = [y, x];
    const pivot = y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] ?? Number.NaN) < pivot) i++;
      while ((a[j] ?? Number.NaN) > pivot) j--;
      if (i <= j) {
        const t = a[i] ?? Number.NaN;
        a[i] = a[j] ?? Number.NaN;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
