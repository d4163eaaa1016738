/**
 * Correlation regimes: a two-state hidden Markov model with Gaussian emissions (diagonal covariance) on
 * daily observations such as the average pairwise rolling correlation and its dispersion. Fitted by
 * Baum–Welch (EM, scaled forward–backward; Rabiner 1989), started deterministically from the observations'
 * lower and upper halves of the first feature. State 1 is the high-correlation state (higher mean of the
 * first feature). P(high regime in h days) = filtered state probabilities of the last day × Aʰ.
 */

export interface Hmm2 {
  /** Transition matrix [a00, a01, a10, a11]. */
  a: [number, number, number, number];
  pi: [number, number];
  /** Per state, per feature: mean and variance. */
  mean: [number[], number[]];
  variance: [number[], number[]];
  logLik: number;
}

function emission(m: Hmm2, s: 0 | 1, x: readonly number[]): number {
  let lp = 0;
  for (let j = 0; j < x.length; j++) {
    const v = m.variance[s][j] as number;
    const d = (x[j] as number) - (m.mean[s][j] as number);
    lp += -0.5 * (Math.log(2 * Math.PI * v) + (d * d) / v);
  }
  return Math.exp(lp);
}

/** Scaled forward pass: filtered P(state_t | x_0..t) and the log-likelihood. */
export function hmmFilter(
  m: Hmm2,
  xs: readonly (readonly number[])[],
): { filtered: [number, number][]; logLik: number } {
  const filtered: [number, number][] = [];
  let prev: [number, number] | null = null;
  let ll = 0;
  for (const x of xs) {
    const prior: [number, number] = prev
      ? [prev[0] * m.a[0] + prev[1] * m.a[2], prev[0] * m.a[1] + prev[1] * m.a[3]]
      : [m.pi[0], m.pi[1]];
    const f0 = prior[0] * emission(m, 0, x);
    const f1 = prior[1] * emission(m, 1, x);
    const c = f0 + f1 || Number.MIN_VALUE;
    ll += Math.log(c);
    prev = [f0 / c, f1 / c];
    filtered.push(prev);
  }
  return { filtered, logLik: ll };
}

export function fitHmm2(
  xs: readonly (readonly number[])[],
  opts: { maxIter?: number; tol?: number } = {},
): Hmm2 {
  const n = xs.length;
  if (n < 10) throw new RangeError(`a regime model needs at least 10 observations, got ${n}`);
  const d = (xs[0] as readonly number[]).length;
  const order = xs
    .map((_, i) => i)
    .sort((i, j) => ((xs[i] as number[])[0] as number) - ((xs[j] as number[])[0] as number));
  const halves = [order.slice(0, n >> 1), order.slice(n >> 1)];
  const moments = (idx: number[]) => {
    const mean = Array.from(
      { length: d },
      (_, j) => idx.reduce((s, i) => s + ((xs[i] as number[])[j] as number), 0) / idx.length,
    );
    const variance = Array.from({ length: d }, (_, j) =>
      Math.max(
        1e-8,
        idx.reduce((s, i) => s + (((xs[i] as number[])[j] as number) - (mean[j] as number)) ** 2, 0) /
          idx.length,
      ),
    );
    return { mean, variance };
  };
  const lo = moments(halves[0] as number[]);
  const hi = moments(halves[1] as number[]);
  let m: Hmm2 = {
    a: [0.95, 0.05, 0.05, 0.95],
    pi: [0.5, 0.5],
    mean: [lo.mean, hi.mean],
    variance: [lo.variance, hi.variance],
    logLik: Number.NEGATIVE_INFINITY,
  };
  const maxIter = opts.maxIter ?? 200;
  const tol = opts.tol ?? 1e-8;
  for (let it = 0; it < maxIter; it++) {
    // E step: scaled forward (alpha) and backward (beta).
    const e = xs.map((x) => [emission(m, 0, x), emission(m, 1, x)] as const);
    const alpha: [number, number][] = [];
    const scale: number[] = [];
    for (let t = 0; t < n; t++) {
      const et = e[t] as readonly [number, number];
      const prev = alpha[t - 1];
      const p0 = prev ? prev[0] * m.a[0] + prev[1] * m.a[2] : m.pi[0];
      const p1 = prev ? prev[0] * m.a[1] + prev[1] * m.a[3] : m.pi[1];
      const a0 = p0 * et[0];
      const a1 = p1 * et[1];
      const c = a0 + a1 || Number.MIN_VALUE;
      scale.push(c);
      alpha.push([a0 / c, a1 / c]);
    }
    const beta: [number, number][] = new Array(n);
    beta[n - 1] = [1, 1];
    for (let t = n - 2; t >= 0; t--) {
      const en = e[t + 1] as readonly [number, number];
      const bn = beta[t + 1] as [number, number];
      const c = scale[t + 1] as number;
      beta[t] = [
        (m.a[0] * en[0] * bn[0] + m.a[1] * en[1] * bn[1]) / c,
        (m.a[2] * en[0] * bn[0] + m.a[3] * en[1] * bn[1]) / c,
      ];
    }
    const gamma = alpha.map((al, t) => {
      const b = beta[t] as [number, number];
      const g0 = al[0] * b[0];
      const g1 = al[1] * b[1];
      const s = g0 + g1 || Number.MIN_VALUE;
      return [g0 / s, g1 / s] as const;
    });
    const xi = [0, 0, 0, 0];
    for (let t = 0; t < n - 1; t++) {
      const al = alpha[t] as [number, number];
      const en = e[t + 1] as readonly [number, number];
      const bn = beta[t + 1] as [number, number];
      const c = scale[t + 1] as number;
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++)
          xi[i * 2 + j] =
            (xi[i * 2 + j] as number) +
            ((al[i] as number) * (m.a[i * 2 + j] as number) * (en[j] as number) * (bn[j] as number)) / c;
    }
    const ll = scale.reduce((s, c) => s + Math.log(c), 0);
    // M step.
    const rows = [(xi[0] as number) + (xi[1] as number), (xi[2] as number) + (xi[3] as number)];
    const next: Hmm2 = {
      a: [
        (xi[0] as number) / (rows[0] || 1),
        (xi[1] as number) / (rows[0] || 1),
        (xi[2] as number) / (rows[1] || 1),
        (xi[3] as number) / (rows[1] || 1),
      ],
      pi: [(gamma[0] as readonly number[])[0] as number, (gamma[0] as readonly number[])[1] as number],
      mean: [[], []],
      variance: [[], []],
      logLik: ll,
    };
    for (const s of [0, 1] as const) {
      const w = gamma.reduce((acc, g) => acc + g[s], 0) || 1;
      for (let j = 0; j < d; j++) {
        const mu = gamma.reduce((acc, g, t) => acc + g[s] * ((xs[t] as number[])[j] as number), 0) / w;
        const v =
          gamma.reduce((acc, g, t) => acc + g[s] * (((xs[t] as number[])[j] as number) - mu) ** 2, 0) / w;
        next.mean[s].push(mu);
        next.variance[s].push(Math.max(v, 1e-8));
      }
    }
    const done = Math.abs(ll - m.logLik) < tol * (1 + Math.abs(ll));
    m = next;
    if (done) break;
  }
  // Label state 1 as the high-correlation one.
  if ((m.mean[0][0] as number) > (m.mean[1][0] as number))
    m = {
      a: [m.a[3], m.a[2], m.a[1], m.a[0]],
      pi: [m.pi[1], m.pi[0]],
      mean: [m.mean[1], m.mean[0]],
      variance: [m.variance[1], m.variance[0]],
      logLik: m.logLik,
    };
  m.logLik = hmmFilter(m, xs).logLik;
  return m;
}

/** P(high-correlation state `h` days after the last observation). */
export function highRegimeProbability(m: Hmm2, xs: readonly (readonly number[])[], h = 7): number {
  const f = hmmFilter(m, xs).filtered;
  let p = f[f.length - 1] ?? [0.5, 0.5];
  for (let k = 0; k < h; k++) p = [p[0] * m.a[0] + p[1] * m.a[2], p[0] * m.a[1] + p[1] * m.a[3]];
  return p[1];
}

/** Average pairwise correlation and its dispersion (standard deviation) of `window`-day returns, per day. */
export function correlationObservations(returns: readonly Float64Array[], window = 30): number[][] {
  const k = returns.length;
  const n = Math.min(...returns.map((r) => r.length));
  const out: number[][] = [];
  for (let t = window; t <= n; t++) {
    const cs: number[] = [];
    for (let a = 0; a < k; a++)
      for (let b = a + 1; b < k; b++) {
        const ra = (returns[a] as Float64Array).subarray(t - window, t);
        const rb = (returns[b] as Float64Array).subarray(t - window, t);
        let ma = 0;
        let mb = 0;
        for (let i = 0; i < window; i++) {
          ma += (ra[i] as number) / window;
          mb += (rb[i] as number) / window;
        }
        let sab = 0;
        let saa = 0;
        let sbb = 0;
        for (let i = 0; i < window; i++) {
          const x = (ra[i] as number) - ma;
          const y = (rb[i] as number) - mb;
          sab += x * y;
          saa += x * x;
          sbb += y * y;
        }
        cs.push(saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0);
      }
    const mean = cs.reduce((s, c) => s + c, 0) / (cs.length || 1);
    const sd = Math.sqrt(cs.reduce((s, c) => s + (c - mean) ** 2, 0) / (cs.length || 1));
    out.push([mean, sd]);
  }
  return out;
}
