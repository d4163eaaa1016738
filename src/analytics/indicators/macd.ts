/**
 * MACD (TA-Lib `MACD`, default 12/26/9). macd = EMA_fast − EMA_slow, signal = EMA_signal(macd),
 * hist = macd − signal, all EMAs with k = 2/(period+1).
 *
 * TA-Lib's seeding, reproduced exactly: both EMAs start at index slow−1 — the slow one seeded with the mean
 * of the first `slow` values, the fast one with the mean of the `fast` values ending there (not an EMA
 * running from index 0); the signal EMA is seeded with the mean of the first `signal` MACD values.
 * Warm-up: NaN in all three outputs at indexes 0 … slow+signal−3; first values at index slow+signal−2
 * (33 for 12/26/9), as TA-Lib. If fast > slow they are swapped (TA-Lib does the same).
 */
import { checkFinite, checkPeriod, rejectNonFinite } from './validate.ts';

export interface MacdOptions {
  /** @defaultValue 12 */
  fast?: number;
  /** @defaultValue 26 */
  slow?: number;
  /** @defaultValue 9 */
  signal?: number;
}

export interface MacdSeries {
  macd: Float64Array;
  signal: Float64Array;
  hist: Float64Array;
}

export interface MacdValue {
  macd: number;
  signal: number;
  hist: number;
}

function periods(name: string, options: MacdOptions): [number, number, number] {
  let fast = options.fast ?? 12;
  let slow = options.slow ?? 26;
  const signal = options.signal ?? 9;
  checkPeriod(name, 'fast', fast);
  checkPeriod(name, 'slow', slow);
  checkPeriod(name, 'signal', signal);
  if (slow < fast) [fast, slow] = [slow, fast];
  return [fast, slow, signal];
}

export function macd(values: ArrayLike<number>, options: MacdOptions = {}): MacdSeries {
  const [fast, slow, signalPeriod] = periods('macd', options);
  const n = values.length;
  const line = new Float64Array(n);
  const signal = new Float64Array(n);
  const hist = new Float64Array(n);
  const start = slow - 1;
  const first = start + signalPeriod - 1;
  const warm = Math.min(first, n);
  line.fill(Number.NaN, 0, warm);
  signal.fill(Number.NaN, 0, warm);
  hist.fill(Number.NaN, 0, warm);
  if (n <= first) return { macd: line, signal, hist };
  // One pass, the same operations in the same order as the streaming class.
  const kFast = 2 / (fast + 1);
  const kSlow = 2 / (slow + 1);
  const kSignal = 2 / (signalPeriod + 1);
  let slowSum = 0;
  let fastSum = 0;
  for (let i = 0; i <= start; i++) {
    const x = values[i] ?? Number.NaN;
    slowSum += x;
    if (i >= slow - fast) fastSum += x;
  }
  let slowEma = slowSum / slow;
  let fastEma = fastSum / fast;
  let signalSum = fastEma - slowEma;
  for (let i = start + 1; i < first; i++) {
    const x = values[i] ?? Number.NaN;
    slowEma = (x - slowEma) * kSlow + slowEma;
    fastEma = (x - fastEma) * kFast + fastEma;
    signalSum += fastEma - slowEma;
  }
  let m = fastEma - slowEma;
  let sig = 0;
  if (first > start) {
    const x = values[first] ?? Number.NaN;
    slowEma = (x - slowEma) * kSlow + slowEma;
    fastEma = (x - fastEma) * kFast + fastEma;
    m = fastEma - slowEma;
    signalSum += m;
  }
  sig = signalSum / signalPeriod;
  line[first] = m;
  signal[first] = sig;
  hist[first] = m - sig;
  for (let i = first + 1; i < n; i++) {
    const x = values[i] ?? Number.NaN;
    slowEma = (x - slowEma) * kSlow + slowEma;
    fastEma = (x - fastEma) * kFast + fastEma;
    m = fastEma - slowEma;
    sig = (m - sig) * kSignal + sig;
    line[i] = m;
    signal[i] = sig;
    hist[i] = m - sig;
  }
  if (!Number.isFinite(sig)) rejectNonFinite('macd', { values });
  return { macd: line, signal, hist };
}

/** Streaming MACD: exactly `macd()` value by value. */
export class Macd {
  private readonly fast: number;
  private readonly slow: number;
  private readonly signalPeriod: number;
  private readonly kFast: number;
  private readonly kSlow: number;
  private readonly kSignal: number;
  private count = 0;
  private fastSum = 0;
  private slowSum = 0;
  private signalSum = 0;
  private fastEma = Number.NaN;
  private slowEma = Number.NaN;
  private signalEma = Number.NaN;

  constructor(options: MacdOptions = {}) {
    [this.fast, this.slow, this.signalPeriod] = periods('Macd', options);
    this.kFast = 2 / (this.fast + 1);
    this.kSlow = 2 / (this.slow + 1);
    this.kSignal = 2 / (this.signalPeriod + 1);
  }

  update(x: number): MacdValue | null {
    checkFinite('Macd', x);
    const i = this.count++;
    const start = this.slow - 1;
    if (i < start) {
      this.slowSum += x;
      if (i >= this.slow - this.fast) this.fastSum += x;
      return null;
    }
    if (i === start) {
      this.slowSum += x;
      this.fastSum += x;
      this.slowEma = this.slowSum / this.slow;
      this.fastEma = this.fastSum / this.fast;
    } else {
      this.slowEma = (x - this.slowEma) * this.kSlow + this.slowEma;
      this.fastEma = (x - this.fastEma) * this.kFast + this.fastEma;
    }
    const line = this.fastEma - this.slowEma;
    const first = start + this.signalPeriod - 1;
    if (i < first) {
      this.signalSum += line;
      return null;
    }
    if (i === first) {
      this.signalSum += line;
      this.signalEma = this.signalSum / this.signalPeriod;
    } else {
      this.signalEma = (line - this.signalEma) * this.kSignal + this.signalEma;
    }
    return { macd: line, signal: this.signalEma, hist: line - this.signalEma };
  }
}
