/**
 * Monte Carlo VaR speed: `monteCarloVar` against a bare Float64Array loop doing the same correlated
 * draw (Box–Muller normals from the same RNG, packed Cholesky factor, linear loss) in the same run.
 * Budget (DESIGN.md): 10,000 simulations × 14 assets under 10 ms median, within 1.5× of the bare loop;
 * 1,000,000 simulations in bounded memory.
 *
 * Run alone: node --import tsx bench/risk.ts
 */

import type { Portfolio } from '../src/core/portfolio.ts';
import type { Scenario } from '../src/core/scenario.ts';
import { cholesky } from '../src/risk/linalg.ts';
import { type MarketModel, monteCarloVar } from '../src/risk/montecarlo.ts';
import { Rng } from '../src/risk/rng.ts';

/** A valid n × n correlation matrix: one common factor with loadings in [0.2, 0.8] (seeded). */
function syntheticModel(n: number, seed: number): MarketModel {
  const rng = new Rng(seed);
  const load = Float64Array.from({ length: n }, () => 0.2 + 0.6 * rng.uniform());
  const corr = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) corr[i * n + j] = i === j ? 1 : (load[i] ?? 0) * (load[j] ?? 0);
  const assets = Array.from({ length: n }, (_, i) => `A${i}`);
  return {
    assets,
    dailyVol: Float64Array.from({ length: n }, () => 0.005 + 0.04 * rng.uniform()),
    correlation: corr,
    pegs: assets.map(() => null),
  };
}

function book(model: MarketModel): Portfolio {
  return {
    name: 'bench',
    capital: 1e8,
    positions: model.assets.map((asset, i) => ({
      asset,
      exposure: 1e6 * (1 + (i % 5)),
      kind: 'holding' as const,
    })),
  };
}

/** The bare loop: same draw, losses into a Float64Array, nothing else. Returns a checksum. */
function bareLoop(model: MarketModel, sims: number, horizon: number, seed: number): number {
  const n = model.assets.length;
  const l = cholesky(model.correlation, n) ?? new Float64Array(n * n);
  const f = new Float64Array((n * (n + 1)) / 2);
  let p = 0;
  const sq = Math.sqrt(horizon);
  for (let i = 0; i < n; i++)
    for (let k = 0; k <= i; k++) f[p++] = (l[i * n + k] ?? 0) * (model.dailyVol[i] ?? 0) * sq;
  const e = Float64Array.from({ length: n }, (_, i) => 1e6 * (1 + (i % 5)));
  const rng = new Rng(seed);
  const z = new Float64Array(n);
  const out = new Float64Array(sims);
  for (let s = 0; s < sims; s++) {
    rng.fillNormal(z, 0, n);
    let q = 0;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let k = 0; k <= i; k++) acc += (f[q++] as number) * (z[k] as number);
      loss -= (e[i] as number) * acc;
    }
    out[s] = loss;
  }
  return out[sims - 1] ?? 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/**
 * Median ms of each function, run interleaved (a, b, c, a, b, c, …) so that all of them see the same
 * machine load; the ratios stay meaningful on a shared machine.
 */
function timeInterleaved(fns: readonly (() => void)[], reps: number): number[] {
  const t: number[][] = fns.map(() => []);
  for (let i = 0; i < reps; i++) {
    fns.forEach((fn, k) => {
      const t0 = performance.now();
      fn();
      t[k]?.push(performance.now() - t0);
    });
  }
  return t.map(median);
}

const scenarios: Scenario[] = [
  {
    name: 'shock',
    description: '',
    type: 'bench',
    assetImpacts: { A0: -0.3, A1: -0.2 },
    btcImpact: null,
    correlationShift: 0.2,
    volatilityMultiplier: 2,
    probabilityAnnual: 0.2,
    severityLevel: 4,
    weight: 1.5,
    enabled: true,
  },
];

export async function run(): Promise<void> {
  const sims = 10_000;
  const rows: string[][] = [];
  for (const n of [14, 100]) {
    const model = syntheticModel(n, n);
    const pf = book(model);
    const reps = n === 14 ? 31 : 9;
    // Warm up both paths so the JIT compares steady states.
    for (let i = 0; i < 3; i++) {
      bareLoop(model, sims, 30, 1);
      monteCarloVar(pf, model, { simulations: sims, seed: 1 });
    }
    const [bare = Number.NaN, mc = Number.NaN, mcMix = Number.NaN] = timeInterleaved(
      [
        () => bareLoop(model, sims, 30, 1),
        () => monteCarloVar(pf, model, { simulations: sims, seed: 1 }),
        () =>
          monteCarloVar(pf, model, {
            simulations: sims,
            seed: 1,
            scenarios,
            depegs: { events: [{ asset: 'A2', minPrice: 0.9 }], observedDays: 365 },
          }),
      ],
      reps,
    );
    const fmt = (ms: number) => [ms.toFixed(2), Math.round((sims / ms) * 1000).toLocaleString('en-US')];
    rows.push([`${n}`, 'bare Float64Array loop', ...fmt(bare), '1.00']);
    rows.push([`${n}`, 'monteCarloVar', ...fmt(mc), (mc / bare).toFixed(2)]);
    rows.push([`${n}`, 'monteCarloVar + scenario + depeg', ...fmt(mcMix), (mcMix / bare).toFixed(2)]);
  }
  console.log(
    `risk: Monte Carlo VaR, ${sims.toLocaleString('en-US')} simulations, 30-day horizon (median ms)`,
  );
  console.log(['assets', 'implementation', 'median ms', 'sims/s', 'ratio vs bare'].join(' | '));
  for (const r of rows) console.log(r.join(' | '));

  const model = syntheticModel(14, 14);
  const big = 1_000_000;
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const r = monteCarloVar(book(model), model, { simulations: big, seed: 7 });
  const ms = performance.now() - t0;
  const rss1 = process.memoryUsage().rss;
  const mb = (b: number) => (b / 2 ** 20).toFixed(1);
  console.log(
    `1,000,000 sims × 14 assets: ${ms.toFixed(0)} ms (${Math.round((big / ms) * 1000).toLocaleString('en-US')} sims/s), ` +
      `RSS ${mb(rss0)} → ${mb(rss1)} MB (a Float64Array of all losses alone would be ${mb(big * 8)} MB); ` +
      `VaR95 ${r.var_95.toFixed(0)}, VaR99 ${r.var_99.toFixed(0)}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
