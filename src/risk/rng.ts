/**
 * Seeded pseudo-random numbers for Monte Carlo: xoshiro128** (Blackman & Vigna, 2018) seeded through
 * splitmix32, and standard normals by the ziggurat method. Same seed, same sequence, on every
 * platform: only 32-bit integer arithmetic (`Math.imul`) and IEEE doubles are used.
 */

/** Right edge of the ziggurat's base layer, and the area of each of its 128 layers. */
const ZIG_R = 3.442619855899;
const ZIG_V = 9.91256303526217e-3;
const KN = new Float64Array(128);
const WN = new Float64Array(128);
const FN = new Float64Array(128);
{
  const m1 = 2147483648;
  let dn = ZIG_R;
  let tn = dn;
  const q = ZIG_V / Math.exp(-0.5 * dn * dn);
  KN[0] = (dn / q) * m1;
  KN[1] = 0;
  WN[0] = q / m1;
  WN[127] = dn / m1;
  FN[0] = 1;
  FN[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(ZIG_V / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = (dn / tn) * m1;
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / m1;
  }
}
/** 2^-32: maps an unsigned 32-bit integer to [0, 1). */
const INV_2_32 = 1 / 4294967296;

function splitmix32(state: number): [next: number, out: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [next, z];
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** @param seed any finite number; its integer part (and bits above 2^32) select the stream. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    const whole = Math.trunc(Math.abs(seed));
    let st =
      (whole >>> 0) ^ Math.imul(Math.floor(whole / 4294967296) | 0, 0x27d4eb2f) ^ (seed < 0 ? 0x5bd1e995 : 0);
    let out: number;
    [st, out] = splitmix32(st);
    this.s0 = out;
    [st, out] = splitmix32(st);
    this.s1 = out;
    [st, out] = splitmix32(st);
    this.s2 = out;
    [st, out] = splitmix32(st);
    this.s3 = out;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next unsigned 32-bit integer. */
  nextU32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result >>> 0;
  }

  /** Uniform on the open interval (0, 1), 32 bits of resolution. */
  uniform(): number {
    return (this.nextU32() + 0.5) * INV_2_32;
  }

  /**
   * Standard normal N(0, 1) by the ziggurat method (Marsaglia & Tsang 2000, 128 layers; exact tails).
   * `iz = hz & 127` always indexes inside the 128-entry tables, so their `?? NaN` fallbacks never apply.
   */
  normal(): number {
    const hz = this.nextU32() | 0;
    const iz = hz & 127;
    if (Math.abs(hz) < (KN[iz] ?? Number.NaN)) return hz * (WN[iz] ?? Number.NaN);
    return this.normalSlow(hz, iz);
  }

  /** Fills `out[start..end)` with standard normals. */
  fillNormal(out: Float64Array, start = 0, end = out.length): void {
    for (let i = start; i < end; i++) {
      const hz = this.nextU32() | 0;
      const iz = hz & 127;
      out[i] = Math.abs(hz) < (KN[iz] ?? Number.NaN) ? hz * (WN[iz] ?? Number.NaN) : this.normalSlow(hz, iz);
    }
  }

  /** The ziggurat's rare path (~1.2 % of draws): wedges and the tail beyond R. */
  private normalSlow(hz: number, iz: number): number {
    for (;;) {
      const x = hz * (WN[iz] ?? Number.NaN);
      if (iz === 0) {
        let tx: number;
        let ty: number;
        do {
          tx = -Math.log(this.uniform()) / ZIG_R;
          ty = -Math.log(this.uniform());
        } while (ty + ty < tx * tx);
        return hz > 0 ? ZIG_R + tx : -ZIG_R - tx;
      }
      const f0 = FN[iz] ?? Number.NaN;
      if (f0 + this.uniform() * ((FN[iz - 1] ?? Number.NaN) - f0) < Math.exp(-0.5 * x * x)) return x;
      hz = this.nextU32() | 0;
      iz = hz & 127;
      if (Math.abs(hz) < (KN[iz] ?? Number.NaN)) return hz * (WN[iz] ?? Number.NaN);
    }
  }
}
