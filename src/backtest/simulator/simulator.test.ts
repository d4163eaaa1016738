import { describe, expect, it } from 'vitest';
import { Rng } from '../../risk/rng.ts';
import { maCrossover } from '../strategies/ma-crossover.ts';
import { seriesOf } from '../testing/series.ts';
import { applyEvent } from './events.ts';
import {
  calibrate,
  correlationOf,
  type MarketModel,
  poisson,
  simulateMarket,
  simulateReturns,
} from './models.ts';
import { monteCarlo, percentile } from './montecarlo.ts';

function moments(x: Float64Array): { mean: number; sd: number } {
  let s = 0;
  for (const v of x) s += v;
  const mean = s / x.length;
  let q = 0;
  for (const v of x) q += (v - mean) ** 2;
  return { mean, sd: Math.sqrt(q / (x.length - 1)) };
}

const N = 200_000;

describe('Poisson jump counts', () => {
  it('have mean and variance λ (tolerance 3 %)', () => {
    const r = new Rng(7);
    const m = moments(Float64Array.from({ length: N }, () => poisson(r, 0.3)));
    expect(Math.abs(m.mean / 0.3 - 1)).toBeLessThan(0.03);
    expect(Math.abs(m.sd ** 2 / 0.3 - 1)).toBeLessThan(0.03);
  });
});

describe('GBM moments match their parameters', () => {
  const model: MarketModel = { kind: 'gbm', symbols: ['A'], drift: [0.0004], vol: [0.02] };

  it('per-bar log returns ~ N(drift, vol²): mean within 4 s.e., sd within 1 %', () => {
    const [r] = simulateReturns(model, N, new Rng(1));
    const m = moments(r ?? new Float64Array());
    expect(Math.abs(m.mean - 0.0004)).toBeLessThan((4 * 0.02) / Math.sqrt(N));
    expect(Math.abs(m.sd / 0.02 - 1)).toBeLessThan(0.01);
  });

  it('calibration recovers drift and vol from a simulated history', () => {
    const ts = Float64Array.from({ length: 20_001 }, (_, k) => k * 86_400_000);
    const [path] = simulateMarket(model, ts, [100], 5);
    const fit = calibrate(path ? [path] : [], 'gbm');
    expect(fit.kind).toBe('gbm');
    if (fit.kind !== 'gbm') return;
    expect(Math.abs((fit.vol[0] ?? 0) / 0.02 - 1)).toBeLessThan(0.02);
    expect(Math.abs((fit.drift[0] ?? 0) - 0.0004)).toBeLessThan((4 * 0.02) / Math.sqrt(20_000));
  });

  it('correlated instruments keep the requested correlation (±0.01)', () => {
    const corrModel: MarketModel = {
      kind: 'gbm',
      symbols: ['A', 'B'],
      drift: [0, 0],
      vol: [0.01, 0.03],
      corr: [
        [1, 0.7],
        [0.7, 1],
      ],
    };
    const rets = simulateReturns(corrModel, N, new Rng(3));
    expect(correlationOf(rets)[0]?.[1] ?? 0).toBeCloseTo(0.7, 2);
  });

  it('the same seed gives the same path', () => {
    const ts = Float64Array.from({ length: 50 }, (_, k) => k);
    expect(simulateMarket(model, ts, [100], 9)[0]?.close).toEqual(
      simulateMarket(model, ts, [100], 9)[0]?.close,
    );
    expect(simulateMarket(model, ts, [100], 9)[0]?.close).not.toEqual(
      simulateMarket(model, ts, [100], 10)[0]?.close,
    );
  });
});

describe('Merton jump diffusion moments', () => {
  it('mean = μ + λ·μJ and variance = σ² + λ(σJ² + μJ²) within 2 %', () => {
    const p = { drift: 0.0002, vol: 0.01, lambda: 0.05, jumpMean: -0.03, jumpSd: 0.04 };
    const model: MarketModel = {
      kind: 'jump',
      symbols: ['A'],
      drift: [p.drift],
      vol: [p.vol],
      lambda: [p.lambda],
      jumpMean: [p.jumpMean],
      jumpSd: [p.jumpSd],
    };
    const [r] = simulateReturns(model, 400_000, new Rng(11));
    const m = moments(r ?? new Float64Array());
    const mean = p.drift + p.lambda * p.jumpMean;
    const variance = p.vol ** 2 + p.lambda * (p.jumpSd ** 2 + p.jumpMean ** 2);
    expect(Math.abs(m.mean - mean)).toBeLessThan((4 * Math.sqrt(variance)) / Math.sqrt(400_000));
    expect(Math.abs(m.sd ** 2 / variance - 1)).toBeLessThan(0.02);
  });
});

describe('block bootstrap', () => {
  it('draws whole blocks of consecutive historical returns (circular)', () => {
    const hist = Float64Array.from({ length: 50 }, (_, k) => k / 1000);
    const model: MarketModel = { kind: 'bootstrap', symbols: ['A'], returns: [hist], block: 5 };
    const [r] = simulateReturns(model, 100, new Rng(2));
    const out = r ?? new Float64Array();
    for (let b = 0; b < 100; b += 5) {
      const start = Math.round((out[b] ?? 0) * 1000);
      for (let j = 0; j < 5; j++) expect(Math.round((out[b + j] ?? 0) * 1000)).toBe((start + j) % 50);
    }
  });
});

describe('event injection', () => {
  const s = seriesOf('USDC', [1, 1, 1, 1, 1, 1]);
  it('a stress impact shifts prices permanently from the event bar', () => {
    const [out] = applyEvent([s], { name: 'x', at: s.ts[2] ?? 0, impacts: { USDC: -0.3 } });
    expect(Array.from(out?.close ?? [])).toEqual([1, 1, 0.7, 0.7, 0.7, 0.7]);
    expect(Array.from(s.close)).toEqual([1, 1, 1, 1, 1, 1]);
  });
  it('a depeg shape applies temporarily, then the path resumes', () => {
    const [out] = applyEvent([s], { name: 'depeg', at: s.ts[1] ?? 0, shapes: { USDC: [0.97, 0.88, 0.97] } });
    expect(Array.from(out?.close ?? [])).toEqual([1, 0.97, 0.88, 0.97, 1, 1]);
  });
});

describe('Monte Carlo', () => {
  const model: MarketModel = { kind: 'gbm', symbols: ['A'], drift: [0.0003], vol: [0.015] };
  const ts = Float64Array.from({ length: 253 }, (_, k) => Date.UTC(2020, 0, 1) + k * 86_400_000);
  const opts = {
    model,
    factory: maCrossover,
    params: { fast: 5, slow: 20 },
    ts,
    start: [100],
    paths: 20,
    seed: 1,
  };

  it('is reproducible by seed and gives ordered percentiles', () => {
    const a = monteCarlo(opts);
    const b = monteCarlo(opts);
    expect(b.metrics).toEqual(a.metrics);
    const tr = a.metrics.total_return;
    expect(tr).toBeDefined();
    if (tr === undefined) return;
    expect(tr.p5).toBeLessThanOrEqual(tr.p25);
    expect(tr.p25).toBeLessThanOrEqual(tr.p50);
    expect(tr.p50).toBeLessThanOrEqual(tr.p75);
    expect(tr.p75).toBeLessThanOrEqual(tr.p95);
  });

  it('an injected crash moves the benchmark distribution down by the shock', () => {
    const plain = monteCarlo(opts);
    const shocked = monteCarlo({
      ...opts,
      events: [{ name: 'crash', at: ts[100] ?? 0, impacts: { A: -0.5 } }],
    });
    // Buy-and-hold's final value is exactly halved on every path, so its median return: (1 + r)·0.5 − 1.
    const p50 = plain.benchmark.total_return?.p50 ?? 0;
    expect(shocked.benchmark.total_return?.p50).toBeCloseTo((1 + p50) * 0.5 - 1, 9);
  });

  it('percentile interpolates linearly', () => {
    expect(percentile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(percentile([0, 10], 0.25)).toBe(2.5);
  });
});
