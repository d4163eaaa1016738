import { describe, expect, it } from 'vitest';
import { Rng } from '../risk/rng.ts';
import { samplePanel } from './testing.ts';
import {
  ewmaForecasts,
  fitGarch,
  fitHar,
  garchLogLik,
  harForecast,
  volatilityWalkForward,
} from './volatility.ts';

/** A GARCH(1,1) path with known parameters (seeded): the reference the fit must recover. */
function simulate(n: number, omega: number, alpha: number, beta: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const r = new Float64Array(n);
  let h = omega / (1 - alpha - beta);
  for (let t = 0; t < n; t++) {
    r[t] = Math.sqrt(h) * rng.normal();
    h = omega + alpha * (r[t] as number) ** 2 + beta * h;
  }
  return r;
}

describe('EWMA (RiskMetrics λ = 0.94)', () => {
  it('follows h_{t+1} = λ h_t + (1 − λ) r_t² from the warm-up mean square', () => {
    const r = [0.01, -0.02, 0.03, 0.01];
    const h = ewmaForecasts(r, 0.94, 2);
    const h2 = (0.01 ** 2 + 0.02 ** 2) / 2;
    expect(h[2]).toBeCloseTo(h2, 15);
    expect(h[3]).toBeCloseTo(0.94 * h2 + 0.06 * 0.03 ** 2, 15);
    expect(h[4]).toBeCloseTo(0.94 * (0.94 * h2 + 0.06 * 0.03 ** 2) + 0.06 * 0.01 ** 2, 15);
  });
});

describe('GARCH(1,1) by maximum likelihood', () => {
  const truth = { omega: 2e-6, alpha: 0.08, beta: 0.9 };
  const r = simulate(5000, truth.omega, truth.alpha, truth.beta, 17);
  const g = fitGarch(r);
  it('recovers the parameters of a simulated path (5,000 days; asymptotic s.e. of α, β ≈ 0.01–0.015)', () => {
    expect(Math.abs(g.alpha - truth.alpha)).toBeLessThan(0.03);
    expect(Math.abs(g.beta - truth.beta)).toBeLessThan(0.04);
    expect(g.alpha + g.beta).toBeLessThan(1);
  });
  it('is a maximum: any small move of a parameter lowers the likelihood', () => {
    for (const [k, d] of [
      ['alpha', 0.005],
      ['beta', 0.005],
      ['omega', g.omega * 0.05],
    ] as const) {
      for (const s of [-1, 1]) {
        const moved = { ...g, [k]: g[k] + s * d };
        expect(garchLogLik(r, moved, g.h0), `${k} ${s > 0 ? '+' : '−'}`).toBeLessThan(g.logLik);
      }
    }
  });
});

describe('HAR (learned) and the walk-forward comparison', () => {
  it('HAR coefficients solve the least-squares normal equations', () => {
    const r = simulate(1500, 2e-6, 0.08, 0.9, 5);
    const coef = fitHar(r);
    const grad = [0, 0, 0, 0];
    for (let t = 22; t < r.length; t++) {
      const e = (r[t] as number) ** 2 - harForecast(coef, r, t);
      const x = [
        1,
        ...[1, 5, 22].map((lag) => {
          let s = 0;
          for (let j = t - lag; j < t; j++) s += (r[j] as number) ** 2 / lag;
          return s;
        }),
      ];
      x.forEach((v, i) => {
        grad[i] = (grad[i] as number) + e * v;
      });
    }
    expect(Math.abs(grad[0] as number)).toBeLessThan(1e-12);
  });
  it('scores EWMA, GARCH and HAR on the same days of real BTC returns (shipped samples)', () => {
    const btc = samplePanel().btc;
    const r: number[] = [];
    for (let i = 1; i < btc.length; i++) {
      const a = btc[i - 1] as number;
      const b = btc[i] as number;
      if (a > 0 && b > 0) r.push(Math.log(b / a));
    }
    const wf = volatilityWalkForward(r, { minTrain: 250, refitEvery: 63 });
    expect(wf.ewma.n).toBe(r.length - 250);
    expect(wf.garch.n).toBe(wf.ewma.n);
    expect(wf.har.n).toBe(wf.ewma.n);
    for (const s of [wf.ewma, wf.garch, wf.har]) expect(Number.isFinite(s.qlike) && s.mse > 0).toBe(true);
  });
});
