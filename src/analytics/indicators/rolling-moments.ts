/**
 * Running mean and sum of squared deviations (M2) over a fixed window, updated in O(1) with Welford's
 * add/replace steps. Far steadier than Σx² − n·mean² when the spread is tiny next to the level (FX, pegged
 * coins), and the mean is `sum / n` with the same operations as `sma()`, so a Bollinger middle band equals
 * the SMA bit for bit. Batch loops inline the same arithmetic; this class is the streaming form.
 *
 * Rounding errors of running sums accumulate over millions of updates, so every RESYNC_EVERY-th input
 * (absolute index i with (i & RESYNC_MASK) === 0, once the window is full) the sum and M2 are recomputed
 * exactly from the window, oldest to newest. Batch and streaming resync at the same indexes.
 */
export const RESYNC_MASK = 1023;

/** Exact sum of `window` values read oldest → newest from a ring whose oldest slot is `oldest`. */
export function ringSum(ring: Float64Array, oldest: number): number {
  const p = ring.length;
  let sum = 0;
  for (let j = 0; j < p; j++) sum += ring[(oldest + j) % p] ?? Number.NaN;
  return sum;
}

/** Exact M2 (Σ (x − mean)²) of the ring around `mean`. */
export function ringM2(ring: Float64Array, oldest: number, mean: number): number {
  const p = ring.length;
  let m2 = 0;
  for (let j = 0; j < p; j++) {
    const d = (ring[(oldest + j) % p] ?? Number.NaN) - mean;
    m2 += d * d;
  }
  return m2;
}

export class RollingMoments {
  private readonly ring: Float64Array;
  private count = 0;
  sum = 0;
  mean = 0;
  m2 = 0;

  constructor(readonly size: number) {
    this.ring = new Float64Array(size);
  }

  /** Adds `x` (dropping the oldest once full); returns true when the window is full. */
  push(x: number): boolean {
    const p = this.size;
    const slot = this.count % p;
    if (this.count < p) {
      const c = this.count + 1;
      if (c === 1) {
        this.sum = x;
        this.mean = x;
        this.m2 = 0;
      } else {
        const old = this.mean;
        this.sum += x;
        this.mean = this.sum / c;
        this.m2 += (x - old) * (x - this.mean);
      }
    } else {
      const y = this.ring[slot] ?? Number.NaN;
      const old = this.mean;
      this.sum += x - y;
      this.mean = this.sum / p;
      this.m2 += (x - y) * (x - this.mean + y - old);
    }
    this.ring[slot] = x;
    this.count++;
    if (this.count > p && ((this.count - 1) & RESYNC_MASK) === 0) {
      const oldest = this.count % p;
      this.sum = ringSum(this.ring, oldest);
      this.mean = this.sum / p;
      this.m2 = ringM2(this.ring, oldest, this.mean);
    }
    return this.count >= p;
  }
}
